package io.vigil.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vigil.model.CheckResult;
import io.vigil.model.Reason;
import io.vigil.testsupport.CheckHarness;
import io.vigil.testsupport.FaultProxy;
import io.vigil.testsupport.TestPorts;
import io.vigil.testsupport.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The tcp check against a real server (Redis speaks plain text over TCP). */
class TcpCheckTest {
  private static Vertx vertx;
  private static String redis;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    redis = TestServers.redisUri();
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  private static String target(int port, String extra) {
    return "type: tcp, host: 127.0.0.1, port: " + port + extra;
  }

  @Test
  void upWhenTheConnectionOpens() {
    try (CheckHarness c = CheckHarness.of(vertx, target(TestServers.port(redis), ""))) {
      assertTrue(c.probe().ok());
    }
  }

  @Test
  void upWhenTheAnswerContainsTheExpectedText() {
    try (CheckHarness c = CheckHarness.of(vertx, target(TestServers.port(redis), ", send: \"PING\\r\\n\", expect: { contains: PONG }"))) {
      CheckResult r = c.probe();
      assertTrue(r.ok(), r.toString());
    }
  }

  @Test
  void wrongAnswerIsAnAssertionAfterThePeerCloses() {
    try (CheckHarness c = CheckHarness.of(vertx, target(TestServers.port(redis), ", send: \"QUIT\\r\\n\", expect: { contains: PONG }"))) {
      CheckResult r = c.probe();
      assertEquals(Reason.ASSERTION, r.reason(), r.toString());
      assertEquals("answer does not contain \"PONG\" (got \"+OK\\r\\n\")", r.message());
    }
  }

  @Test
  void refusedConnectionIsConnectionRefused() {
    try (CheckHarness c = CheckHarness.of(vertx, target(TestPorts.closed(), ""))) {
      assertEquals(Reason.CONNECTION_REFUSED, c.probe().reason());
    }
  }

  @Test
  void peerThatNeverAnswersIsATimeoutAndTheSocketIsClosed() {
    try (FaultProxy p = FaultProxy.to("127.0.0.1", TestServers.port(redis));
         CheckHarness c = CheckHarness.of(vertx, target(p.port(), ", send: \"PING\\r\\n\", expect: { contains: PONG }"))) {
      p.blackhole();
      CheckResult r = c.probe();
      assertEquals(Reason.TIMEOUT, r.reason(), r.toString());
    }
  }

  @Test
  void unresolvableHostIsDns() {
    try (CheckHarness c = CheckHarness.of(vertx, "type: tcp, host: no-such-host.invalid, port: 80")) {
      assertEquals(Reason.DNS, c.probe().reason());
    }
  }
}

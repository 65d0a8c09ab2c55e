package io.vigil.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vigil.model.CheckResult;
import io.vigil.model.Reason;
import io.vigil.testsupport.CheckHarness;
import io.vigil.testsupport.FaultProxy;
import io.vigil.testsupport.TestServers;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The postgres check against a real PostgreSQL, directly and through the fault proxy. */
class PostgresCheckTest {
  private static Vertx vertx;
  private static String uri;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    uri = TestServers.postgresUri();
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  private static String via(FaultProxy p) {
    return uri.replace(TestServers.host(uri) + ":" + TestServers.port(uri), "127.0.0.1:" + p.port());
  }

  @Test
  void upOnAPrimaryWhenAPrimaryIsExpected() {
    try (CheckHarness c = CheckHarness.of(vertx, "type: postgres, uri: \"" + uri + "\", expect: { primary: true }")) {
      CheckResult r = c.probe();
      assertTrue(r.ok(), r.toString());
      assertEquals(false, r.data().get("inRecovery"));
      assertEquals(2, r.data().get("poolMax"));
    }
  }

  @Test
  void primaryWhereAReplicaIsExpectedIsUnavailable() {
    try (CheckHarness c = CheckHarness.of(vertx, "type: postgres, uri: \"" + uri + "\", expect: { primary: false }")) {
      CheckResult r = c.probe();
      assertEquals(Reason.UNAVAILABLE, r.reason());
      assertEquals("server is a primary; a replica is required", r.message());
    }
  }

  @Test
  void refusedConnectionIsConnectionRefused() {
    try (FaultProxy p = FaultProxy.to(TestServers.host(uri), TestServers.port(uri));
         CheckHarness c = CheckHarness.of(vertx, "type: postgres, uri: \"" + via(p) + "\"")) {
      p.refuse();
      c.probeUntil(Duration.ofSeconds(3), "refused", r -> r.reason() == Reason.CONNECTION_REFUSED);
    }
  }

  @Test
  void serverThatAcceptsAndNeverAnswersIsATimeout() {
    try (FaultProxy p = FaultProxy.to(TestServers.host(uri), TestServers.port(uri));
         CheckHarness c = CheckHarness.of(vertx, "type: postgres, uri: \"" + via(p) + "\"")) {
      p.blackhole();
      CheckResult r = c.probe();
      assertEquals(Reason.TIMEOUT, r.reason(), r.toString());
    }
  }

  @Test
  void sameCheckRecoversByItselfAfterTheServerComesBack() {
    try (FaultProxy p = FaultProxy.to(TestServers.host(uri), TestServers.port(uri));
         CheckHarness c = CheckHarness.of(vertx, "type: postgres, uri: \"" + via(p) + "\"")) {
      assertTrue(c.probe().ok());
      p.refuse();
      c.probeUntil(Duration.ofSeconds(5), "refused", r -> r.reason() == Reason.CONNECTION_REFUSED);
      p.pass();
      c.probeUntil(Duration.ofSeconds(5), "UP again on the same pool", CheckResult::ok);
      p.blackhole();
      c.probeUntil(Duration.ofSeconds(5), "timeout", r -> r.reason() == Reason.TIMEOUT);
      p.pass();
      c.probeUntil(Duration.ofSeconds(8), "UP again after the blackhole", CheckResult::ok);
    }
  }
}

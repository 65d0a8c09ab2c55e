package io.vigil.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vigil.model.CheckResult;
import io.vigil.model.Reason;
import io.vigil.testsupport.CheckHarness;
import io.vigil.config.Secrets;
import io.vigil.testsupport.FaultProxy;
import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.TestServers;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The redis check against a real Redis, directly and through the fault proxy. */
class RedisCheckTest {
  private static Vertx vertx;
  private static String uri;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    uri = TestServers.redisUri();
    // A cold JVM's first Redis connection can take longer than the tests' 1 s timeout on a busy
    // machine (seen failing on the code before probes could be aborted, too): warm it up first.
    Check warm = Checks.create(vertx, AbortTest.config("type: redis, uri: \"" + uri + "\""));
    MonitorFixture.await(new CheckRunner(vertx, "warm", "redis", warm, Duration.ofSeconds(8), Secrets.none()).run());
    MonitorFixture.await(warm.close());
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  private static String via(FaultProxy p) {
    return uri.replace(TestServers.host(uri) + ":" + TestServers.port(uri), "127.0.0.1:" + p.port());
  }

  @Test
  void upWhenPingRoleWriteAndInfoAllHold() {
    try (CheckHarness c = CheckHarness.of(vertx, "type: redis, uri: \"" + uri
        + "\", expect: { role: master, writable: true, info: { loading: \"0\" } }")) {
      CheckResult r = c.probe();
      assertTrue(r.ok(), r.toString());
      assertEquals("master", r.data().get("role"));
    }
  }

  @Test
  void wrongRoleIsUnavailable() {
    try (CheckHarness c = CheckHarness.of(vertx, "type: redis, uri: \"" + uri + "\", expect: { role: replica }")) {
      CheckResult r = c.probe();
      assertEquals(Reason.UNAVAILABLE, r.reason(), r.toString());
      assertEquals("role is master, expected replica", r.message());
    }
  }

  @Test
  void infoMismatchIsAnAssertion() {
    try (CheckHarness c = CheckHarness.of(vertx, "type: redis, uri: \"" + uri + "\", expect: { info: { loading: \"1\" } }")) {
      assertEquals("INFO loading is 0, expected 1", c.probe().message());
    }
  }

  @Test
  void refusedConnectionIsConnectionRefused() {
    try (FaultProxy p = FaultProxy.to(TestServers.host(uri), TestServers.port(uri));
         CheckHarness c = CheckHarness.of(vertx, "type: redis, uri: \"" + via(p) + "\"")) {
      p.refuse();
      // The pooled client may hold a connection the refusal just cut: that probe fails as
      // "unavailable"; the next connection attempt is refused.
      CheckResult first = c.probe();
      assertFalse(first.ok());
      c.probeUntil(Duration.ofSeconds(3), "refused", r -> r.reason() == Reason.CONNECTION_REFUSED);
    }
  }

  @Test
  void socketThatAcceptsAndNeverAnswersIsATimeout() {
    try (FaultProxy p = FaultProxy.to(TestServers.host(uri), TestServers.port(uri));
         CheckHarness c = CheckHarness.of(vertx, "type: redis, uri: \"" + via(p) + "\"")) {
      p.blackhole();
      CheckResult r = c.probe();
      assertEquals(Reason.TIMEOUT, r.reason(), r.toString());
      assertTrue(r.latency().toMillis() < 1500, "bounded by the 1 s timeout: " + r.latency());
    }
  }

  @Test
  void garbageOnThePortIsAProtocolError() {
    try (FaultProxy p = FaultProxy.to(TestServers.host(uri), TestServers.port(uri));
         CheckHarness c = CheckHarness.of(vertx, "type: redis, uri: \"" + via(p) + "\"")) {
      p.garbage();
      CheckResult r = c.probe();
      assertFalse(r.ok());
      assertTrue(r.reason() == Reason.PROTOCOL || r.reason() == Reason.TIMEOUT, r.toString());
    }
  }

  @Test
  void sameCheckRecoversByItselfAfterTheServerComesBack() {
    try (FaultProxy p = FaultProxy.to(TestServers.host(uri), TestServers.port(uri));
         CheckHarness c = CheckHarness.of(vertx, "type: redis, uri: \"" + via(p) + "\", expect: { writable: true }")) {
      assertTrue(c.probe().ok());
      p.refuse();
      c.probeUntil(Duration.ofSeconds(5), "refused", r -> r.reason() == Reason.CONNECTION_REFUSED);
      p.pass();
      c.probeUntil(Duration.ofSeconds(5), "UP again on the same client", CheckResult::ok);
      p.blackhole();
      c.probeUntil(Duration.ofSeconds(5), "timeout", r -> r.reason() == Reason.TIMEOUT);
      p.pass();
      c.probeUntil(Duration.ofSeconds(5), "UP again after the blackhole", CheckResult::ok);
    }
  }
}

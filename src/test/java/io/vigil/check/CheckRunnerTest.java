package io.vigil.check;

import static io.vigil.testsupport.MonitorFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vigil.config.Secrets;
import io.vigil.status.CheckResult;
import io.vigil.status.Reason;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The one wrapper every check runs in: timeout, exceptions to reasons, timer cancelled, secrets scrubbed. */
class CheckRunnerTest {
  private final Vertx real = Vertx.vertx();
  private final Set<Long> timersSet = ConcurrentHashMap.newKeySet();
  private final Set<Long> timersCancelled = ConcurrentHashMap.newKeySet();
  /** The real Vert.x, with its one-shot timers recorded, so a test can see each one cancelled. */
  private final Vertx vertx = (Vertx) Proxy.newProxyInstance(Vertx.class.getClassLoader(), new Class<?>[] {Vertx.class},
      (proxy, method, args) -> {
        Object out;
        try {
          out = method.invoke(real, args);
        } catch (InvocationTargetException e) {
          throw e.getCause();
        }
        if (method.getName().equals("setTimer")) {
          timersSet.add((Long) out);
        } else if (method.getName().equals("cancelTimer")) {
          timersCancelled.add((Long) args[0]);
        }
        return out;
      });

  @AfterEach
  void close() {
    await(real.close());
  }

  private CheckResult run(Check check, Duration timeout, Secrets secrets) {
    return await(new CheckRunner(vertx, "target", "custom", check, timeout, secrets).run());
  }

  private CheckResult run(Check check) {
    return run(check, Duration.ofSeconds(2), Secrets.none());
  }

  @Test
  void anUpObservationBecomesAnUpResultAndItsTimerIsCancelled() {
    CheckResult r = run(() -> Future.succeededFuture(Observation.up(java.util.Map.of("version", "7.0"))));
    assertTrue(r.ok());
    assertEquals("target", r.check());
    assertEquals("custom", r.type());
    assertEquals("7.0", r.data().get("version"));
    assertTrue(r.latency().compareTo(Duration.ofSeconds(2)) < 0, "latency " + r.latency());
    assertEquals(1, timersSet.size());
    assertEquals(timersSet, timersCancelled, "the timeout timer is cancelled when the probe ends");
  }

  @Test
  void aCheckThatThrowsIsDownWithReasonInternal() {
    CheckResult r = run(() -> {
      throw new IllegalStateException("bug in the check");
    });
    assertFalse(r.ok());
    assertEquals(Reason.INTERNAL, r.reason());
    assertTrue(r.message().contains("bug in the check"), r.message());
    assertEquals(timersSet, timersCancelled);
  }

  @Test
  void aCheckThatReturnsNoFutureIsDownWithReasonInternal() {
    CheckResult r = run(() -> null);
    assertFalse(r.ok());
    assertEquals(Reason.INTERNAL, r.reason());
    assertTrue(r.message().contains("no future"), r.message());
  }

  @Test
  void aCheckCompletingWithNoObservationIsDownWithReasonInternal() {
    CheckResult r = run(() -> Future.succeededFuture(null));
    assertEquals(Reason.INTERNAL, r.reason());
    assertTrue(r.message().contains("no observation"), r.message());
  }

  @Test
  void aFailedFutureIsDownWithTheReasonItsCauseMapsTo() {
    CheckResult r = run(() -> Future.failedFuture(new ConnectException("Connection refused: /127.0.0.1:1")));
    assertFalse(r.ok());
    assertEquals(Reason.CONNECTION_REFUSED, r.reason());
    assertEquals(timersSet, timersCancelled);
  }

  @Test
  void aHangingCheckIsDownWithReasonTimeoutAtItsTimeoutAndALateAnswerIsIgnored() {
    Promise<Observation> never = Promise.promise();
    CheckResult r = run(never::future, Duration.ofMillis(150), Secrets.none());
    assertFalse(r.ok());
    assertEquals(Reason.TIMEOUT, r.reason());
    assertEquals("no answer within 150ms", r.message());
    assertTrue(r.latency().toMillis() >= 150, "not before the timeout: " + r.latency());
    never.complete(Observation.up()); // too late: must neither throw nor change anything
    assertFalse(r.ok());
  }

  @Test
  void credentialsAreScrubbedFromTheMessage() {
    Secrets secrets = new Secrets(List.of("hunter2"));
    CheckResult r = run(() -> Future.succeededFuture(
        Observation.down(Reason.AUTH, "WRONGPASS for redis://:hunter2@10.0.0.5:6379 (password hunter2)")), Duration.ofSeconds(2), secrets);
    assertEquals(Reason.AUTH, r.reason());
    assertFalse(r.message().contains("hunter2"), r.message());
    assertTrue(r.message().contains("WRONGPASS"), "the rest of the message is kept: " + r.message());
  }
}

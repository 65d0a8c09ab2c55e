package io.vigil.check;

import io.vigil.model.Observation;

import static io.vigil.testsupport.MonitorFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vigil.config.Secrets;
import io.vigil.model.CheckResult;
import io.vigil.model.Clock;
import io.vigil.model.Reason;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The one wrapper every check runs in: timeout, abort, one probe in flight, exceptions to reasons,
 * timer cancelled, monotonic clock, secrets scrubbed from message and data.
 */
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

  /** A check whose future never completes, and which counts its probes and aborts. */
  private static final class Stuck implements Check {
    final AtomicInteger probes = new AtomicInteger();
    final AtomicInteger aborts = new AtomicInteger();
    volatile Promise<Observation> last;
    final boolean honoursAbort;

    Stuck(boolean honoursAbort) {
      this.honoursAbort = honoursAbort;
    }

    @Override
    public Future<Observation> probe() {
      probes.incrementAndGet();
      last = Promise.promise();
      return last.future();
    }

    @Override
    public void abort() {
      aborts.incrementAndGet();
      if (honoursAbort) {
        last.tryFail("aborted");
      }
    }
  }

  @Test
  void aProbeThatTimesOutIsAbortedOnceAndItsFutureEnds() {
    Stuck stuck = new Stuck(true);
    CheckRunner runner = new CheckRunner(vertx, "target", "custom", stuck, Duration.ofMillis(100), Secrets.none());
    CheckResult r = await(runner.run());
    assertEquals(Reason.TIMEOUT, r.reason());
    assertEquals(1, stuck.aborts.get());
    assertFalse(runner.busy(), "the aborted probe's future completed");
  }

  @Test
  void aProbeThatAnswersInTimeIsNeverAborted() {
    AtomicInteger aborts = new AtomicInteger();
    Check quick = new Check() {
      @Override
      public Future<Observation> probe() {
        return Future.succeededFuture(Observation.up());
      }

      @Override
      public void abort() {
        aborts.incrementAndGet();
      }
    };
    CheckRunner runner = new CheckRunner(vertx, "target", "custom", quick, Duration.ofMillis(100), Secrets.none());
    assertTrue(await(runner.run()).ok());
    assertEquals(0, aborts.get());
  }

  @Test
  void noProbeStartsWhileThePreviousHasNotEndedAndThatRoundIsATimeout() {
    Stuck stuck = new Stuck(false); // ignores abort, as a check written in code may
    CheckRunner runner = new CheckRunner(vertx, "target", "custom", stuck, Duration.ofMillis(100), Secrets.none());
    CheckResult first = await(runner.run());
    assertEquals("no answer within 100ms", first.message());
    assertTrue(runner.busy());
    CheckResult second = await(runner.run());
    assertEquals(Reason.TIMEOUT, second.reason());
    assertTrue(second.message().startsWith("the previous probe has not ended after "), second.message());
    assertTrue(second.latency().toMillis() >= 100, "how long the target has been silent: " + second.latency());
    assertEquals(1, stuck.probes.get(), "no second probe while the first is unfinished");
    assertEquals(1, stuck.aborts.get(), "only a probe that ran is aborted");
    stuck.last.complete(Observation.up()); // it ends at last: the next round probes again
    assertFalse(runner.busy());
    assertEquals("no answer within 100ms", await(runner.run()).message());
    assertEquals(2, stuck.probes.get());
  }

  /** A clock whose monotonic time is {@code nanos}, moved by the test, and whose wall time stands at {@code wall}. */
  private static Clock manualClock(AtomicLong nanos, Instant wall) {
    return new Clock() {
      @Override
      public long nanos() {
        return nanos.get();
      }

      @Override
      public Instant wall() {
        return wall;
      }
    };
  }

  @Test
  void theSkippedRoundSaysHowLongThePreviousProbeHasRunByTheMonotonicClock() {
    AtomicLong nanos = new AtomicLong(7_000_000_000L);
    Clock clock = manualClock(nanos, Instant.EPOCH);
    Stuck stuck = new Stuck(false);
    CheckRunner runner = new CheckRunner(vertx, "target", "custom", stuck, Duration.ofMillis(100), Secrets.none(), clock);
    await(runner.run());
    nanos.addAndGet(1_250_000_000L);
    CheckResult second = await(runner.run());
    assertEquals("the previous probe has not ended after 1250ms; no new probe started", second.message());
    stuck.last.complete(Observation.up());
  }

  @Test
  void anAbortThatThrowsLeavesTheTimeoutStanding() {
    Check bad = new Check() {
      @Override
      public Future<Observation> probe() {
        return Promise.<Observation>promise().future();
      }

      @Override
      public void abort() {
        throw new IllegalStateException("cannot abort");
      }
    };
    CheckResult r = run(bad, Duration.ofMillis(100), Secrets.none());
    assertEquals(Reason.TIMEOUT, r.reason());
    assertEquals("no answer within 100ms", r.message());
  }

  @Test
  void latencyAndResultTimesComeFromTheInjectedClock() {
    AtomicLong nanos = new AtomicLong(5_000_000_000L);
    Instant wall = Instant.parse("2030-01-01T00:00:00Z");
    Clock clock = manualClock(nanos, wall);
    Check takes42ms = () -> {
      nanos.addAndGet(42_000_000L);
      return Future.succeededFuture(Observation.up());
    };
    CheckResult r = await(new CheckRunner(vertx, "target", "custom", takes42ms, Duration.ofSeconds(2), Secrets.none(), clock).run());
    assertEquals(Duration.ofMillis(42), r.latency());
    assertEquals(5_042_000_000L, r.atNanos());
    assertEquals(wall, r.at());
  }

  @Test
  void credentialsAreScrubbedFromTheDataStringsToo() {
    Secrets secrets = new Secrets(List.of("hunter2"));
    CheckResult r = run(() -> Future.succeededFuture(Observation.up(Map.of(
        "banner", "welcome, password hunter2", "primary", "redis://:hunter2@10.0.0.5:6379", "port", 6379))),
        Duration.ofSeconds(2), secrets);
    assertFalse(r.data().toString().contains("hunter2"), r.data().toString());
    assertEquals("welcome, password ****", r.data().get("banner"));
    assertEquals(6379, r.data().get("port"), "other values are kept as they are");
  }
}

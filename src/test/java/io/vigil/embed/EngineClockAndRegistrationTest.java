package io.vigil.embed;

import static io.vigil.testsupport.MonitorFixture.await;
import static io.vigil.testsupport.MonitorFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vigil.bus.Addresses;
import io.vigil.config.ConfigLoader;
import io.vigil.engine.Engine;
import io.vigil.metrics.CheckMetrics;
import io.vigil.model.CheckOptions;
import io.vigil.model.CheckState;
import io.vigil.model.Clock;
import io.vigil.model.Observation;
import io.vigil.model.OverallState;
import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.SwitchableCheck;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A running engine against a stepped wall clock, and the rules for checks registered in code. */
class EngineClockAndRegistrationTest {
  /** Interval 200 ms; max-age 2 s, so only a wall-clock effect, not a busy machine, can make it stale. */
  private static final CheckOptions STEADY = CheckOptions.DEFAULTS.withInterval(Duration.ofMillis(200))
      .withTimeout(Duration.ofMillis(100)).withMaxAge(Duration.ofSeconds(2));

  /** The system's monotonic clock, and a wall clock a test steps by hours. */
  private static final class SteppedWall implements Clock {
    volatile Duration offset = Duration.ZERO;

    @Override
    public long nanos() {
      return System.nanoTime();
    }

    @Override
    public Instant wall() {
      return Instant.now().plus(offset);
    }
  }

  /** A monotonic clock a test jumps forward, as a process frozen and thawed sees it. */
  private static final class JumpingClock implements Clock {
    volatile long jumped;

    @Override
    public long nanos() {
      return System.nanoTime() + jumped;
    }

    @Override
    public Instant wall() {
      return Instant.now().plusNanos(jumped);
    }
  }

  @Test
  void afterAStallTheFirstReaderWaitsForTheOverdueExpiryInsteadOfReadingAStaleUp() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      JumpingClock clock = new JumpingClock();
      Engine engine = engine(vertx, clock);
      await(engine.start());
      CheckOptions slow = CheckOptions.DEFAULTS.withInterval(Duration.ofSeconds(30)).withTimeout(Duration.ofSeconds(1))
          .withMaxAge(Duration.ofSeconds(60));
      await(engine.register("queue", new SwitchableCheck(), slow));
      eventually(Duration.ofSeconds(10), "queue UP", () -> engine.snapshot().check("queue").map(c -> c.state() == CheckState.UP).orElse(false));
      clock.jumped = TimeUnit.SECONDS.toNanos(90); // a freeze past max-age; no probe is due in real time
      await(engine.caughtUp());
      assertEquals(CheckState.UNKNOWN, engine.snapshot().check("queue").orElseThrow().state(),
          "the first reader after a 90 s stall, max-age 60 s");
      assertTrue(!engine.ready(), "and not ready");
    } finally {
      await(vertx.close());
    }
  }

  private static Engine engine(Vertx vertx, Clock clock) {
    return new Engine(vertx, new ConfigLoader(Map.of()).parse("checks: {}", "test.yaml"),
        new CheckMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), "test"), clock);
  }

  @Test
  void wallClockStepsOfAnHourForwardAndBackChangeNoStateInARunningMonitor() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      SteppedWall clock = new SteppedWall();
      Engine engine = engine(vertx, clock);
      await(engine.start());
      List<JsonObject> transitions = new CopyOnWriteArrayList<>();
      await(vertx.eventBus().<JsonObject>consumer(Addresses.CHANGED, m -> transitions.add(m.body())).completion());
      await(engine.register("queue", new SwitchableCheck(), STEADY));
      eventually(Duration.ofSeconds(10), "overall UP, announced", () -> transitions.stream()
          .anyMatch(t -> "*".equals(t.getString("check")) && "UP".equals(t.getString("to"))));
      assertEquals(OverallState.UP, engine.snapshot().overall());
      transitions.clear();
      for (Duration step : List.of(Duration.ofHours(1), Duration.ofHours(-1), Duration.ofHours(-1), Duration.ofHours(1))) {
        clock.offset = clock.offset.plus(step);
        Thread.sleep(700); // the board ticks every 250 ms
        assertEquals(List.of(), transitions, "after a wall-clock step of " + step);
        assertEquals(CheckState.UP, engine.snapshot().check("queue").orElseThrow().state());
        assertTrue(engine.ready() && engine.live(), "ready and live after a step of " + step);
      }
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void registerBeforeStartFailsWithAClearMessage() {
    Vertx vertx = Vertx.vertx();
    try {
      Throwable e = failure(engine(vertx, Clock.SYSTEM).register("queue", new SwitchableCheck(), STEADY));
      assertEquals("cannot register check \"queue\" before the monitor has started: call start() and wait for it first",
          e.getMessage());
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void registerHoldsCheckOptionsToTheRangesOfTheConfigFile() {
    Vertx vertx = Vertx.vertx();
    try {
      Engine engine = engine(vertx, Clock.SYSTEM);
      await(engine.start());
      assertEquals("check \"q\": failure-threshold: must be >= 1 (was 0)",
          failure(engine.register("q", new SwitchableCheck(), STEADY.withThresholds(0, 1))).getMessage());
      assertEquals("check \"q\": success-threshold: must be >= 1 (was -2)",
          failure(engine.register("q", new SwitchableCheck(), STEADY.withThresholds(3, -2))).getMessage());
      assertEquals("check \"q\": max-age: must be longer than interval + timeout + jitter (200ms + 100ms + 10ms = 310ms),"
          + " or a healthy check would read stale between two results (was 300ms)",
          failure(engine.register("q", new SwitchableCheck(), STEADY.withMaxAge(Duration.ofMillis(300)))).getMessage());
      assertEquals("check \"q\": timeout: must not exceed interval (200ms), or probes would overlap (was 1s)",
          failure(engine.register("q", new SwitchableCheck(), STEADY.withTimeout(Duration.ofSeconds(1)))).getMessage());
      assertEquals(0, engine.snapshot().checks().size(), "nothing was added");
      await(engine.stop());
      assertEquals("cannot register check \"q\": the monitor is stopping or stopped",
          failure(engine.register("q", new SwitchableCheck(), STEADY)).getMessage());
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void aCheckRegisteredLaterBumpsSeqPublishesItsTransitionsAndNeverSendsStartupBackTo503() throws Exception {
    try (MonitorFixture m = MonitorFixture.start("checks: {}")) {
      m.register("first", new SwitchableCheck(), STEADY);
      eventually(Duration.ofSeconds(10), "started and UP", () -> m.status("/health") == 200 && m.status("/health/startup") == 200);
      List<JsonObject> transitions = new CopyOnWriteArrayList<>();
      await(m.running().vertx().eventBus().<JsonObject>consumer(Addresses.CHANGED, msg -> transitions.add(msg.body()))
          .completion());
      long seq = m.running().monitor().checkHealth().seq();
      // Its first result comes 300 ms after the probe starts: a window for startup to regress in.
      m.register("slow", () -> Future.future(p -> m.running().vertx().setTimer(300, id -> p.complete(Observation.up()))),
          STEADY.withInterval(Duration.ofMillis(500)).withTimeout(Duration.ofMillis(400)));
      assertTrue(m.running().monitor().checkHealth().seq() > seq, "registering changed the snapshot: its seq moved");
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(600);
      while (System.nanoTime() < until) {
        assertEquals(200, m.status("/health/startup"), "startup, once passed, stays passed");
      }
      eventually(Duration.ofSeconds(10), "slow reported", () -> transitions.stream()
          .anyMatch(t -> "slow".equals(t.getString("check")) && "UP".equals(t.getString("to"))));
      JsonObject toUnknown = transitions.stream().filter(t -> "*".equals(t.getString("check"))).findFirst().orElseThrow();
      assertEquals("UP", toUnknown.getString("from"));
      assertEquals("UNKNOWN", toUnknown.getString("to"), "the new critical check is UNKNOWN until it reports");
      assertTrue(toUnknown.getLong("seq") > seq);
      eventually(Duration.ofSeconds(10), "overall back UP", () -> transitions.stream()
          .anyMatch(t -> "*".equals(t.getString("check")) && "UP".equals(t.getString("to"))));
    }
  }

  private static Throwable failure(Future<?> f) {
    try {
      f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected a failed future");
  }
}

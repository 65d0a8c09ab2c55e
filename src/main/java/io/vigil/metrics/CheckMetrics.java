package io.vigil.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vigil.status.CheckResult;
import io.vigil.status.CheckState;
import io.vigil.status.CheckStatus;
import io.vigil.status.OverallState;
import io.vigil.status.Snapshot;
import io.vigil.status.Transition;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Vigil's own meters (DESIGN.md, "Metrics"). Gauges read the latest snapshot, so they can never
 * disagree with {@code /health}; counters and the latency histogram are fed one result at a time.
 * Labels are check name, type, criticality, outcome, reason and state: all of low cardinality.
 */
public final class CheckMetrics {
  private static final Duration[] BUCKETS = {
    Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
    Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
    Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)
  };

  private final MeterRegistry registry;
  private final AtomicReference<Snapshot> snapshot = new AtomicReference<>();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  public CheckMetrics(MeterRegistry registry, String version) {
    this.registry = registry;
    Gauge.builder("vigil.build.info", () -> 1).description("Vigil build, as a label").tag("version", version)
        .register(registry);
    for (OverallState s : OverallState.values()) {
      Gauge.builder("vigil.status", snapshot, ref -> ref.get() != null && ref.get().overall() == s ? 1 : 0)
          .description("Overall state: 1 for the current one, 0 for the others").tag("state", s.name())
          .register(registry);
    }
    Gauge.builder("vigil.ready", snapshot, ref -> ref.get() != null && ref.get().ready() ? 1 : 0)
        .description("1 when /health/ready answers 200").register(registry);
    Gauge.builder("vigil.draining", snapshot, ref -> ref.get() != null && ref.get().draining() ? 1 : 0)
        .description("1 while the monitor drains before it stops").register(registry);
  }

  /** Registers the per-check gauges of a check; call once per check, before its first result. */
  public void register(String check, String type, boolean critical) {
    Gauge.builder("vigil.check.up", snapshot, ref -> state(ref, check) == CheckState.UP ? 1 : 0)
        .description("1 when the check is UP after thresholds")
        .tags("check", check, "type", type, "critical", String.valueOf(critical)).register(registry);
    Gauge.builder("vigil.check.consecutive.failures", snapshot, ref -> status(ref, check, c -> c.consecutiveFailures()))
        .description("Failed probes in a row").tag("check", check).register(registry);
    Gauge.builder("vigil.check.last.success.timestamp", snapshot,
            ref -> status(ref, check, c -> c.lastSuccess() == null ? Double.NaN : c.lastSuccess().toEpochMilli() / 1000.0))
        .description("When the last probe succeeded, in Unix time").baseUnit("seconds").tag("check", check)
        .register(registry);
    timers.put(check, Timer.builder("vigil.check.duration").description("Probe latency")
        .tags("check", check, "type", type).serviceLevelObjectives(BUCKETS)
        .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry));
    for (String outcome : new String[] {"success", "failure"}) {
      Counter.builder("vigil.check.probes").description("Probes run").tags("check", check, "type", type, "outcome", outcome)
          .register(registry);
    }
  }

  /** Counts one probe result. */
  public void record(CheckResult r) {
    Timer timer = timers.get(r.check());
    if (timer != null) {
      timer.record(r.latency());
    }
    registry.counter("vigil.check.probes", "check", r.check(), "type", r.type(), "outcome", r.ok() ? "success" : "failure")
        .increment();
    if (!r.ok()) {
      Counter.builder("vigil.check.failures").description("Failed probes by reason")
          .tags("check", r.check(), "reason", r.reason().label()).register(registry).increment();
    }
  }

  /** Counts a check's state change (the overall state is a gauge, not counted here). */
  public void record(Transition t) {
    if (!Transition.OVERALL.equals(t.check())) {
      Counter.builder("vigil.check.transitions").description("State changes of a check by new state")
          .tags("check", t.check(), "to", t.to()).register(registry).increment();
    }
  }

  /** The snapshot gauges read from now on. */
  public void update(Snapshot s) {
    snapshot.set(s);
  }

  private static CheckState state(AtomicReference<Snapshot> ref, String check) {
    Snapshot s = ref.get();
    return s == null ? CheckState.UNKNOWN : s.check(check).map(CheckStatus::state).orElse(CheckState.UNKNOWN);
  }

  private static double status(AtomicReference<Snapshot> ref, String check,
      java.util.function.ToDoubleFunction<CheckStatus> f) {
    Snapshot s = ref.get();
    return s == null ? Double.NaN : s.check(check).map(f::applyAsDouble).orElse(Double.NaN);
  }
}

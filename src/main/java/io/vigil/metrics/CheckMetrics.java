package io.vigil.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.vigil.model.CheckResult;
import io.vigil.model.CheckState;
import io.vigil.model.CheckStatus;
import io.vigil.model.DisplayState;
import io.vigil.model.LatencyHistogram;
import io.vigil.model.OverallState;
import io.vigil.model.Reason;
import io.vigil.model.Snapshot;
import io.vigil.model.Transition;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

/**
 * Vigil's own meters (README, "Metrics"). Gauges read the latest snapshot, so they can never
 * disagree with {@code /health}; counters and the latency histogram are fed one result at a time,
 * with the reason the board gave the check (the one the events and {@code /health} show). Every
 * counter of the fixed reasons and states is registered at 0 with its check, so that
 * {@code increase()} sees the first failure. Labels are check name, type, criticality, outcome,
 * reason and state: all of low cardinality.
 */
public final class CheckMetrics {
  /** The status data key (epoch seconds) that a probe of a TLS endpoint reports its certificate's end in. */
  public static final String CERT_NOT_AFTER = "certNotAfter";

  private final MeterRegistry registry;
  private final LatencyHistogram histogram;
  private final Duration[] buckets;
  private final AtomicReference<Snapshot> snapshot = new AtomicReference<>();
  private final Map<String, Meters> checks = new ConcurrentHashMap<>();
  /** The histograms of {@link LatencyHistogram.Scope#PER_TYPE}, by check type. */
  private final Map<String, Timer> byType = new ConcurrentHashMap<>();

  /** The meters of one check, looked up once; {@code duration} is null without a histogram. */
  private record Meters(Timer duration, Counter successes, Counter failures, Map<Reason, Counter> byReason,
      Map<CheckState, Counter> transitions, AtomicReference<Double> certNotAfter) {}

  public CheckMetrics(MeterRegistry registry, String version) {
    this(registry, version, LatencyHistogram.DEFAULT);
  }

  public CheckMetrics(MeterRegistry registry, String version, LatencyHistogram histogram) {
    this.registry = registry;
    this.histogram = histogram;
    this.buckets = histogram.buckets().toArray(Duration[]::new);
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

  /** Registers every meter of a check, counters at 0; call once per check, before its first result. */
  public void register(String check, String type, boolean critical) {
    Gauge.builder("vigil.check.up", snapshot, ref -> isUp(state(ref, check)) ? 1 : 0)
        .description("1 when the check is UP after thresholds")
        .tags("check", check, "type", type, "critical", String.valueOf(critical)).register(registry);
    for (DisplayState s : DisplayState.values()) {
      Gauge.builder("vigil.check.state", snapshot, ref -> state(ref, check) == s ? 1 : 0)
          .description("State of the check as /health shows it: 1 for the current one, 0 for the others")
          .tags("check", check, "state", s.name()).register(registry);
    }
    Gauge.builder("vigil.check.consecutive.failures", snapshot, ref -> status(ref, check, c -> c.consecutiveFailures()))
        .description("Failed probes in a row").tag("check", check).register(registry);
    Gauge.builder("vigil.check.last.success.timestamp", snapshot,
            ref -> status(ref, check, c -> c.lastSuccess() == null ? Double.NaN : c.lastSuccess().toEpochMilli() / 1000.0))
        .description("When the last probe succeeded, in Unix time").baseUnit("seconds").tag("check", check)
        .register(registry);
    Timer duration = switch (histogram.scope()) {
      case PER_CHECK -> duration(Tags.of("check", check, "type", type));
      case PER_TYPE -> byType.computeIfAbsent(type, t -> duration(Tags.of("type", t)));
      case OFF -> null;
    };
    Map<Reason, Counter> byReason = new EnumMap<>(Reason.class);
    for (Reason r : Reason.values()) {
      byReason.put(r, Counter.builder("vigil.check.failures").description("Failed probes by the reason the check shows")
          .tags("check", check, "reason", r.label()).register(registry));
    }
    Map<CheckState, Counter> transitions = new EnumMap<>(CheckState.class);
    for (CheckState s : CheckState.values()) {
      transitions.put(s, Counter.builder("vigil.check.transitions").description("State changes of a check by new state")
          .tags("check", check, "to", s.name()).register(registry));
    }
    checks.put(check, new Meters(duration, probes(check, type, "success"), probes(check, type, "failure"),
        byReason, transitions, new AtomicReference<>()));
  }

  private Timer duration(Tags tags) {
    return Timer.builder("vigil.check.duration").description("Probe latency").tags(tags)
        .serviceLevelObjectives(buckets)
        .minimumExpectedValue(buckets[0]).maximumExpectedValue(buckets[buckets.length - 1])
        .register(registry);
  }

  private Counter probes(String check, String type, String outcome) {
    return Counter.builder("vigil.check.probes").description("Probes run")
        .tags("check", check, "type", type, "outcome", outcome).register(registry);
  }

  /**
   * Counts one probe result; {@code status} is the check's status right after it, whose reason a
   * failure is counted under (e.g. {@code dependency}, not the probe's own {@code http_status}).
   */
  public void record(CheckResult r, CheckStatus status) {
    Meters m = checks.get(r.check());
    if (m == null) {
      return; // not registered: a result racing the removal of its check
    }
    if (m.duration() != null) {
      m.duration().record(r.latency());
    }
    if (r.ok()) {
      m.successes().increment();
    } else {
      m.failures().increment();
      Reason shown = status != null && status.reason() != null ? status.reason() : r.reason();
      m.byReason().get(shown).increment();
    }
    if (r.data().get(CERT_NOT_AFTER) instanceof Number notAfter) {
      certificate(r.check(), m, notAfter.doubleValue());
    }
  }

  /**
   * Keeps the end of the check's TLS certificate; the gauge appears with the first probe that saw a
   * certificate and keeps the last one seen while later probes fail before the handshake.
   */
  private void certificate(String check, Meters m, double notAfter) {
    if (m.certNotAfter().getAndSet(notAfter) == null) {
      Gauge.builder("vigil.check.cert.expiry.timestamp", m.certNotAfter(), c -> c.get() == null ? Double.NaN : c.get())
          .description("When the check's TLS certificate expires, in Unix time").baseUnit("seconds")
          .tag("check", check).register(registry);
    }
  }

  /** Counts a check's state change (the overall state is a gauge, not counted here). */
  public void record(Transition t) {
    Meters m = checks.get(t.check());
    if (m != null) {
      m.transitions().get(CheckState.valueOf(t.to())).increment();
    }
  }

  /** The snapshot gauges read from now on. */
  public void update(Snapshot s) {
    snapshot.set(s);
  }

  /** UP after thresholds: DEGRADED is UP with failing probes below the threshold. */
  private static boolean isUp(DisplayState s) {
    return s == DisplayState.UP || s == DisplayState.DEGRADED;
  }

  private static DisplayState state(AtomicReference<Snapshot> ref, String check) {
    Snapshot s = ref.get();
    return s == null ? DisplayState.UNKNOWN
        : s.check(check).map(CheckStatus::displayState).orElse(DisplayState.UNKNOWN);
  }

  private static double status(AtomicReference<Snapshot> ref, String check, ToDoubleFunction<CheckStatus> f) {
    Snapshot s = ref.get();
    return s == null ? Double.NaN : s.check(check).map(f::applyAsDouble).orElse(Double.NaN);
  }
}

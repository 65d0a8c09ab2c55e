package io.vigil.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
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
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Vigil's own meters (README, "Metrics"). Gauges read the latest snapshot, so they can never
 * disagree with {@code /health}; counters and the latency histogram are fed one result at a time,
 * with the reason the board gave the check (the one the events and {@code /health} show). Every
 * counter of the fixed reasons and states exists from its check's registration, at 0, so that
 * {@code increase()} sees the first failure. Labels are check name, type, criticality, outcome,
 * reason and state: all of low cardinality.
 *
 * <p>The per-check series (39 a check) are not Micrometer meters: they are counters in plain
 * arrays, written straight to whatever reads them ({@link #writeTo}). A scrape through Micrometer
 * first builds a snapshot object per series and holds them all until the text is written: at 2,000
 * checks some 60 MB live at once, and each young collection during a rendering copied it, pausing
 * the probes for 35-70 ms. Written as they are read, the series leave nothing live but the body.
 * The monitor's few overall gauges stay Micrometer meters. The series still reach
 * {@code registry.scrape()} (an embedding program's own endpoint) through a collector in the
 * registry's Prometheus registry.
 */
public final class CheckMetrics implements CheckFamilies {
  /** The status data key (epoch seconds) that a probe of a TLS endpoint reports its certificate's end in. */
  public static final String CERT_NOT_AFTER = "certNotAfter";

  private final LatencyHistogram histogram;
  private final LongSupplier nanoTime;
  private final AtomicReference<Snapshot> snapshot = new AtomicReference<>();
  private final Map<String, CheckSeries> checks = new ConcurrentHashMap<>();
  /** In registration order: the order they are written in. */
  private final Queue<CheckSeries> ordered = new ConcurrentLinkedQueue<>();
  /** The histograms of {@link LatencyHistogram.Scope#PER_TYPE}, by check type, in order of first use. */
  private final Map<String, LatencyCounts> byType = new ConcurrentHashMap<>();
  private final Queue<String> types = new ConcurrentLinkedQueue<>();
  /** Clustered: the member that owns a check now, a label of its state series; null labels none. */
  private volatile Function<String, String> owners = check -> null;
  /** How late each round started against its timer, for the VigilProbesLate alert. */
  private final Timer scheduleLag;
  private final PrometheusMeterRegistry registry;

  /** The registry these meters live in, for the meters of other parts (the notifiers'). */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public CheckMetrics(PrometheusMeterRegistry registry, String version) {
    this(registry, version, LatencyHistogram.DEFAULT);
  }

  public CheckMetrics(PrometheusMeterRegistry registry, String version, LatencyHistogram histogram) {
    this(registry, version, histogram, System::nanoTime);
  }

  CheckMetrics(PrometheusMeterRegistry registry, String version, LatencyHistogram histogram, LongSupplier nanoTime) {
    this.histogram = histogram;
    this.nanoTime = nanoTime;
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
    // Buckets an alert can use: a probe that starts a second late means a busy or stalled event loop.
    scheduleLag = Timer.builder("vigil.probe.schedule.lag")
        .description("How late each probe started against its schedule (a busy event loop delays it)")
        .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(250),
            Duration.ofSeconds(1), Duration.ofSeconds(5))
        .register(registry);
    registry.getPrometheusRegistry().register(new CheckCollector(this));
  }

  /** A probe started {@code lateNanos} after it was due; safe from any thread. */
  public void scheduleLag(long lateNanos) {
    scheduleLag.record(Math.max(0, lateNanos), TimeUnit.NANOSECONDS);
  }

  /** Registers every series of a check, counters at 0; call once per check, before its first result. */
  public void register(String check, String type, boolean critical) {
    LatencyCounts latency = switch (histogram.scope()) {
      case PER_CHECK -> new LatencyCounts(histogram.buckets(), nanoTime);
      case PER_TYPE -> byType.computeIfAbsent(type, t -> {
        types.add(t);
        return new LatencyCounts(histogram.buckets(), nanoTime);
      });
      case OFF -> null;
    };
    CheckSeries series = new CheckSeries(check, type, critical, latency);
    if (checks.putIfAbsent(check, series) == null) {
      ordered.add(series);
    }
  }

  /**
   * Counts one probe result; {@code status} is the check's status right after it, whose reason a
   * failure is counted under (e.g. {@code dependency}, not the probe's own {@code http_status}).
   */
  public void record(CheckResult r, CheckStatus status) {
    CheckSeries s = checks.get(r.check());
    if (s == null) {
      return; // not registered: a result racing the removal of its check
    }
    if (s.latency != null) {
      s.latency.record(r.latency());
    }
    if (r.ok()) {
      s.succeeded();
    } else {
      s.failed(status != null && status.reason() != null ? status.reason() : r.reason());
    }
    // Kept while later probes fail before the handshake: the last certificate seen.
    if (r.data().get(CERT_NOT_AFTER) instanceof Number notAfter) {
      s.certificate(notAfter.doubleValue());
    }
  }

  /** Counts a check's state change (the overall state is a gauge, not counted here). */
  public void record(Transition t) {
    CheckSeries s = checks.get(t.check());
    if (s != null) {
      s.changedTo(CheckState.valueOf(t.to()));
    }
  }

  /**
   * Clustered: every member exports every check's state (the shared view), labelled with the member
   * that owns the check now ({@code owner="host:port"}), so a query can tell whose view it reads.
   */
  public void owners(Function<String, String> ownerOf) {
    this.owners = ownerOf;
  }

  /** The series of {@code check}, or null (tests). */
  CheckSeries series(String check) {
    return checks.get(check);
  }

  /** The snapshot gauges read from now on. */
  public void update(Snapshot s) {
    snapshot.set(s);
  }

  @Override
  public void writeTo(SeriesSink sink) {
    Snapshot snap = snapshot.get();
    sink.family(Family.CAUSE);
    for (CheckSeries s : ordered) {
      CheckStatus c = status(snap, s.check);
      if (c != null && c.cause() != null) {
        sink.sample(new String[] {"cause", c.cause(), "check", s.check}, 1);
      }
    }
    sink.family(Family.CERT_EXPIRY);
    for (CheckSeries s : ordered) {
      if (!Double.isNaN(s.certNotAfter())) {
        sink.sample(new String[] {"check", s.check}, s.certNotAfter());
      }
    }
    sink.family(Family.CONSECUTIVE_FAILURES);
    for (CheckSeries s : ordered) {
      CheckStatus c = status(snap, s.check);
      sink.sample(new String[] {"check", s.check}, c == null ? Double.NaN : c.consecutiveFailures());
    }
    writeLatencies(sink);
    sink.family(Family.FAILURES);
    for (CheckSeries s : ordered) {
      for (Reason r : Reason.values()) {
        sink.sample(new String[] {"check", s.check, "reason", r.label()}, s.failures(r));
      }
    }
    sink.family(Family.LAST_SUCCESS);
    for (CheckSeries s : ordered) {
      CheckStatus c = status(snap, s.check);
      sink.sample(new String[] {"check", s.check},
          c == null || c.lastSuccess() == null ? Double.NaN : c.lastSuccess().toEpochMilli() / 1000.0);
    }
    sink.family(Family.MAINTENANCE);
    for (CheckSeries s : ordered) {
      CheckStatus c = status(snap, s.check);
      sink.sample(new String[] {"check", s.check}, c != null && c.maintenance() ? 1 : 0);
    }
    sink.family(Family.PROBES);
    for (CheckSeries s : ordered) {
      sink.sample(new String[] {"check", s.check, "outcome", "failure", "type", s.type}, s.failures());
      sink.sample(new String[] {"check", s.check, "outcome", "success", "type", s.type}, s.successes());
    }
    sink.family(Family.STATE);
    Function<String, String> ownerOf = owners;
    for (CheckSeries s : ordered) {
      DisplayState shown = displayState(snap, s.check);
      String owner = ownerOf.apply(s.check);
      for (DisplayState d : DisplayState.values()) {
        sink.sample(owner == null ? new String[] {"check", s.check, "state", d.name()}
            : new String[] {"check", s.check, "owner", owner, "state", d.name()}, shown == d ? 1 : 0);
      }
    }
    sink.family(Family.TRANSITIONS);
    for (CheckSeries s : ordered) {
      for (CheckState to : CheckState.values()) {
        sink.sample(new String[] {"check", s.check, "to", to.name()}, s.transitions(to));
      }
    }
    sink.family(Family.UP);
    for (CheckSeries s : ordered) {
      DisplayState shown = displayState(snap, s.check);
      boolean up = shown == DisplayState.UP || shown == DisplayState.DEGRADED; // DEGRADED: failing below the threshold
      String owner = ownerOf.apply(s.check);
      sink.sample(owner == null ? new String[] {"check", s.check, "critical", s.critical, "type", s.type}
          : new String[] {"check", s.check, "critical", s.critical, "owner", owner, "type", s.type}, up ? 1 : 0);
    }
  }

  private void writeLatencies(SeriesSink sink) {
    if (histogram.scope() == LatencyHistogram.Scope.OFF) {
      return;
    }
    long[] cumulative = new long[histogram.buckets().size() + 1];
    boolean perCheck = histogram.scope() == LatencyHistogram.Scope.PER_CHECK;
    sink.family(Family.DURATION);
    if (perCheck) {
      for (CheckSeries s : ordered) {
        double sum = s.latency.read(cumulative);
        sink.histogram(new String[] {"check", s.check, "type", s.type}, s.latency.bounds(), cumulative, sum);
      }
    } else {
      for (String type : types) {
        LatencyCounts l = byType.get(type);
        double sum = l.read(cumulative);
        sink.histogram(new String[] {"type", type}, l.bounds(), cumulative, sum);
      }
    }
    sink.family(Family.DURATION_MAX);
    if (perCheck) {
      for (CheckSeries s : ordered) {
        sink.sample(new String[] {"check", s.check, "type", s.type}, s.latency.max());
      }
    } else {
      for (String type : types) {
        sink.sample(new String[] {"type", type}, byType.get(type).max());
      }
    }
  }

  private static CheckStatus status(Snapshot snap, String check) {
    return snap == null ? null : snap.status(check);
  }

  private static DisplayState displayState(Snapshot snap, String check) {
    CheckStatus c = status(snap, check);
    return c == null ? DisplayState.UNKNOWN : c.displayState();
  }
}

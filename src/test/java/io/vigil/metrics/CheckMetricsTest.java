package io.vigil.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vigil.model.CheckResult;
import io.vigil.model.CheckState;
import io.vigil.model.CheckStatus;
import io.vigil.model.LatencyHistogram;
import io.vigil.model.LatencyHistogram.Scope;
import io.vigil.model.OverallState;
import io.vigil.model.Reason;
import io.vigil.model.Snapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The values behind the series: the overall gauges, a check's last success, the per-type max. */
class CheckMetricsTest {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @Test
  void overallGaugesFollowTheSnapshot() {
    CheckMetrics metrics = new CheckMetrics(registry, "1.2.3");
    metrics.update(new Snapshot(1, Instant.EPOCH, OverallState.DEGRADED, true, true, true, List.of(), Map.of()));
    String s = registry.scrape();
    assertTrue(s.contains("vigil_build_info{version=\"1.2.3\"} 1"), s);
    assertTrue(s.contains("vigil_status{state=\"DEGRADED\"} 1.0") && s.contains("vigil_status{state=\"UP\"} 0.0"), s);
    assertTrue(s.contains("vigil_ready 1.0") && s.contains("vigil_draining 1.0"), s);
    metrics.update(new Snapshot(2, Instant.EPOCH, OverallState.UP, true, false, false, List.of(), Map.of()));
    s = registry.scrape();
    assertTrue(s.contains("vigil_ready 0.0") && s.contains("vigil_draining 0.0"), s);
  }

  @Test
  void lastSuccessIsInUnixSecondsAndThePerTypeMaxIsWritten() {
    CheckMetrics metrics = new CheckMetrics(registry, "t",
        new LatencyHistogram(Scope.PER_TYPE, LatencyHistogram.DEFAULT_BUCKETS));
    metrics.register("a", "tcp", true);
    metrics.record(new CheckResult("a", "tcp", true, null, null, Map.of(), Duration.ofMillis(250), Instant.EPOCH, 0), null);
    CheckStatus a = new CheckStatus("a", "tcp", true, CheckState.UP, null, null, null, 250.0, Instant.EPOCH,
        Instant.ofEpochSecond(1_700_000_000), Instant.EPOCH, 0, 1, List.of(), Map.of());
    metrics.update(new Snapshot(1, Instant.EPOCH, OverallState.UP, true, false, true, List.of(a), Map.of()));
    String s = registry.scrape();
    assertTrue(s.contains("vigil_check_last_success_timestamp_seconds{check=\"a\"} 1.7E9"), s);
    assertTrue(s.contains("vigil_check_duration_seconds_max{type=\"tcp\"} 0.25"), s);
    assertEquals(1, s.lines().filter(l -> l.startsWith("# TYPE vigil_check_last_success_timestamp_seconds ")).count(), s);
  }

  @Test
  void aCheckDownBecauseOfAnotherCarriesItsRootCauseAndARootCarriesNone() {
    CheckMetrics metrics = new CheckMetrics(registry, "t");
    metrics.register("redis", "redis", true);
    metrics.register("api", "http", true);
    CheckStatus redis = new CheckStatus("redis", "redis", true, CheckState.DOWN, Reason.CONNECTION_REFUSED, "refused",
        null, null, Instant.EPOCH, null, Instant.EPOCH, 3, 1, List.of(), Map.of());
    CheckStatus api = new CheckStatus("api", "http", true, CheckState.DOWN, Reason.DEPENDENCY, "redis is DOWN",
        "redis", null, Instant.EPOCH, null, Instant.EPOCH, 3, 1, List.of("redis"), Map.of());
    metrics.update(new Snapshot(1, Instant.EPOCH, OverallState.DOWN, true, false, false, List.of(redis, api), Map.of()));
    List<String> cause = registry.scrape().lines().filter(l -> l.startsWith("vigil_check_cause{")).toList();
    assertEquals(List.of("vigil_check_cause{cause=\"redis\",check=\"api\"} 1.0"), cause);
  }
}

package io.vigil.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vigil.config.ConfigLoader;
import io.vigil.model.CheckResult;
import io.vigil.model.LatencyHistogram;
import io.vigil.model.LatencyHistogram.Scope;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code metrics.latency-histogram}: per check (default), per type or off, and its buckets. */
class LatencyHistogramTest {
  private static final Pattern DURATION_SERIES = Pattern.compile("(?m)^vigil_check_duration_seconds_(\\w+)\\{([^}]*)}");

  /** The scrape after three probes: two of check a, one of b, both tcp, and one of c, a redis check. */
  private static String scrape(LatencyHistogram histogram) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    CheckMetrics metrics = new CheckMetrics(registry, "test", histogram);
    metrics.register("a", "tcp", true);
    metrics.register("b", "tcp", true);
    metrics.register("c", "redis", true);
    for (String check : List.of("a", "a", "b", "c")) {
      metrics.record(new CheckResult(check, check.equals("c") ? "redis" : "tcp", true, null, null, Map.of(),
          Duration.ofMillis(30), Instant.EPOCH, 0), null);
    }
    return registry.scrape();
  }

  /** Each duration series as "suffix{labels}". */
  private static List<String> durationSeries(String scrape) {
    Matcher m = DURATION_SERIES.matcher(scrape);
    return m.results().map(r -> r.group(1) + "{" + r.group(2) + "}").toList();
  }

  @Test
  void perCheckIsTheDefaultWithTwelveBucketsPerCheck() {
    String s = scrape(new ConfigLoader(Map.of()).parse("checks: {}", "t.yaml").latencyHistogram());
    List<String> series = durationSeries(s);
    assertTrue(series.contains("count{check=\"a\",type=\"tcp\"}"), series.toString());
    assertEquals(3 * 13, series.stream().filter(x -> x.startsWith("bucket")).count(), "12 bounds and +Inf per check");
    assertTrue(s.contains("vigil_check_duration_seconds_count{check=\"a\",type=\"tcp\"} 2"), s);
    long perCheck = s.lines().filter(l -> l.startsWith("vigil_check_") && l.contains("check=\"a\"")).count();
    assertEquals(40, perCheck, "the series of one check, as the README counts them");
  }

  @Test
  void perTypeKeepsOneHistogramPerCheckTypeWithNoCheckLabel() {
    String s = scrape(new LatencyHistogram(Scope.PER_TYPE, LatencyHistogram.DEFAULT_BUCKETS));
    List<String> series = durationSeries(s);
    assertTrue(series.stream().noneMatch(x -> x.contains("check=")), series.toString());
    assertEquals(2 * 13, series.stream().filter(x -> x.startsWith("bucket")).count(), "one histogram per type");
    assertTrue(s.contains("vigil_check_duration_seconds_count{type=\"tcp\"} 3"), s);
    assertTrue(s.contains("vigil_check_duration_seconds_count{type=\"redis\"} 1"), s);
  }

  @Test
  void offLeavesNoHistogramButEveryOtherSeriesOfACheck() {
    String s = scrape(new LatencyHistogram(Scope.OFF, List.of()));
    assertEquals(List.of(), durationSeries(s));
    assertTrue(s.contains("vigil_check_probes_total{check=\"a\",outcome=\"success\",type=\"tcp\"} 2.0"), s);
  }

  @Test
  void bucketsFromTheConfigAreTheHistogramsBounds() {
    LatencyHistogram h = new ConfigLoader(Map.of()).parse(
        "metrics: { latency-histogram: { scope: PER-CHECK, buckets: [25ms, 2s] } }\nchecks: {}", "t.yaml").latencyHistogram();
    assertEquals(new LatencyHistogram(Scope.PER_CHECK, List.of(Duration.ofMillis(25), Duration.ofSeconds(2))), h);
    List<String> bounds = durationSeries(scrape(h)).stream().filter(x -> x.startsWith("bucket{check=\"a\""))
        .map(x -> x.replaceAll(".*le=\"([^\"]+)\".*", "$1")).toList();
    assertEquals(List.of("0.025", "2.0", "+Inf"), bounds);
  }
}

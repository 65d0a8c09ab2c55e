package io.vigil.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.vigil.model.CheckResult;
import io.vigil.model.CheckState;
import io.vigil.model.LatencyHistogram;
import io.vigil.model.LatencyHistogram.Scope;
import io.vigil.model.Reason;
import io.vigil.model.Transition;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The fast writer of the checks' series writes the same lines, byte for byte and under the same
 * family headers, as the Prometheus client's own writers write from the same series as snapshots:
 * both formats, every scope, label values that need escaping or are not ASCII, NaN, counts past 10^7.
 */
class TextSinkTest {

  @ParameterizedTest
  @EnumSource(Scope.class)
  void writesWhatThePrometheusClientWritesInBothFormats(Scope scope) throws IOException {
    CheckMetrics metrics = busyMetrics(scope);
    for (boolean openMetrics : new boolean[] {false, true}) {
      ByteArrayOutputStream fast = new ByteArrayOutputStream();
      TextSink.write(metrics, fast, openMetrics);
      SnapshotSink snapshots = new SnapshotSink();
      metrics.writeTo(snapshots);
      ByteArrayOutputStream client = new ByteArrayOutputStream();
      ExpositionFormatWriter writer = openMetrics ? OpenMetricsTextFormatWriter.create() : PrometheusTextFormatWriter.create();
      writer.write(client, snapshots.snapshots());
      String expected = client.toString(StandardCharsets.UTF_8);
      if (openMetrics) {
        expected = expected.substring(0, expected.length() - "# EOF\n".length());
      }
      String written = fast.toString(StandardCharsets.UTF_8);
      assertTrue(written.contains("vigil_check_probes_total{check=\"quo\\\"te\\\\back\\nline\""), written);
      assertTrue(written.contains("check=\"caf\u00e9\""), written);
      // The client orders a family's series by their labels; Vigil by registration: the same lines.
      expected = linesSortedWithinFamilies(expected);
      written = linesSortedWithinFamilies(written);
      assertEquals(expected, written, (openMetrics ? "OpenMetrics" : "Prometheus text") + ", scope " + scope
          + ", first difference: " + firstDifference(expected, written));
    }
  }

  /** Two checks with awkward names, probes of every outcome, a certificate, a transition and 12 million successes. */
  private static CheckMetrics busyMetrics(Scope scope) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AtomicLong now = new AtomicLong();
    CheckMetrics metrics = new CheckMetrics(registry, "test", new LatencyHistogram(scope,
        scope == Scope.OFF ? java.util.List.of() : LatencyHistogram.DEFAULT_BUCKETS), now::get);
    String odd = "quo\"te\\back\nline";
    metrics.register(odd, "http", true);
    metrics.register("caf\u00e9", "tcp", false);
    metrics.record(result(odd, true, null, 3, Map.of(CheckMetrics.CERT_NOT_AFTER, 1_893_456_000L)), null);
    metrics.record(result(odd, false, Reason.TIMEOUT, 300, Map.of()), null);
    metrics.record(result("caf\u00e9", false, Reason.DNS, 12_000, Map.of()), null);
    metrics.record(new Transition(odd, "UNKNOWN", "DOWN", Reason.TIMEOUT, null, Instant.EPOCH, 1));
    CheckSeries busy = metrics.series("caf\u00e9");
    for (int i = 0; i < 12_000_000; i++) {
      busy.succeeded();
    }
    return metrics;
  }

  /** Values the checks do not produce today, and a family without labels, still written as the client writes them. */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
  void everyKindOfNumberAndLabelIsWrittenAsTheClientWritesIt(boolean openMetrics) throws IOException {
    double[] values = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, -0.0, 0.0, -5.0, 0.001, 1e-4,
        9_999_999.0, 1e7, 1.5e7, -1.5e7, 123.456, Long.MAX_VALUE};
    CheckFamilies families = sink -> {
      sink.family(Family.CONSECUTIVE_FAILURES);
      for (int i = 0; i < values.length; i++) {
        sink.sample(new String[] {"check", "v" + i + "\u0080\u007f"}, values[i]);
      }
      sink.family(Family.TRANSITIONS);
      for (int i = 0; i < 400; i++) { // past the 16 KiB chunk
        sink.sample(new String[] {"check", "padding-" + i, "to", "UP"}, i);
      }
      sink.family(Family.UP); // in Family order, as the client sorts them
      sink.sample(new String[0], 1);
    };
    ByteArrayOutputStream fast = new ByteArrayOutputStream();
    TextSink.write(families, fast, openMetrics);
    SnapshotSink snapshots = new SnapshotSink();
    families.writeTo(snapshots);
    ByteArrayOutputStream client = new ByteArrayOutputStream();
    (openMetrics ? OpenMetricsTextFormatWriter.create() : PrometheusTextFormatWriter.create()).write(client, snapshots.snapshots());
    String expected = client.toString(StandardCharsets.UTF_8);
    expected = linesSortedWithinFamilies(openMetrics ? expected.substring(0, expected.length() - "# EOF\n".length()) : expected);
    String written = linesSortedWithinFamilies(fast.toString(StandardCharsets.UTF_8));
    assertTrue(fast.size() > 16 * 1024, "more than one chunk: " + fast.size());
    assertEquals(expected, written, "first difference: " + firstDifference(expected, written));
  }

  /** Each family's header as it is, its series lines sorted. */
  private static String linesSortedWithinFamilies(String text) {
    StringBuilder out = new StringBuilder();
    java.util.List<String> series = new java.util.ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("#")) {
        if (!series.isEmpty()) {
          series.stream().sorted().forEach(l -> out.append(l).append('\n'));
          series.clear();
        }
        out.append(line).append('\n');
      } else {
        series.add(line);
      }
    }
    series.stream().sorted().forEach(l -> out.append(l).append('\n'));
    return out.toString();
  }

  private static String firstDifference(String expected, String written) {
    String[] e = expected.split("\n", -1);
    String[] w = written.split("\n", -1);
    for (int i = 0; i < Math.min(e.length, w.length); i++) {
      if (!e[i].equals(w[i])) {
        return "line " + (i + 1) + " expected [" + e[i] + "] written [" + w[i] + "]";
      }
    }
    return "lengths " + e.length + " and " + w.length + " lines";
  }

  private static CheckResult result(String check, boolean ok, Reason reason, long ms, Map<String, Object> data) {
    return new CheckResult(check, "http", ok, reason, ok ? null : "failed", data, Duration.ofMillis(ms), Instant.EPOCH, 0);
  }
}

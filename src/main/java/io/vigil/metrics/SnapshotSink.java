package io.vigil.metrics;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;

/**
 * The series as Prometheus client snapshots, for {@code registry.scrape()}: the slow way, kept for
 * programs that scrape the registry themselves. Vigil's own {@code /metrics} uses {@link TextSink}.
 */
final class SnapshotSink implements SeriesSink {
  private final List<MetricSnapshot> done = new ArrayList<>();
  private Family family;
  private final List<CounterDataPointSnapshot> counters = new ArrayList<>();
  private final List<GaugeDataPointSnapshot> gauges = new ArrayList<>();
  private final List<HistogramDataPointSnapshot> histograms = new ArrayList<>();

  @Override
  public void family(Family f) {
    finish();
    family = f;
  }

  @Override
  public void sample(String[] labels, double value) {
    if (family.kind() == Family.Kind.COUNTER) {
      counters.add(CounterDataPointSnapshot.builder().labels(Labels.of(labels)).value(value).build());
    } else {
      gauges.add(GaugeDataPointSnapshot.builder().labels(Labels.of(labels)).value(value).build());
    }
  }

  @Override
  public void histogram(String[] labels, double[] bounds, long[] cumulative, double sum) {
    double[] upper = new double[bounds.length + 1];
    long[] counts = new long[bounds.length + 1];
    for (int i = 0; i <= bounds.length; i++) {
      upper[i] = i < bounds.length ? bounds[i] : Double.POSITIVE_INFINITY;
      counts[i] = cumulative[i] - (i == 0 ? 0 : cumulative[i - 1]);
    }
    histograms.add(HistogramDataPointSnapshot.builder().labels(Labels.of(labels))
        .classicHistogramBuckets(ClassicHistogramBuckets.of(upper, counts)).sum(sum).build());
  }

  MetricSnapshots snapshots() {
    finish();
    return new MetricSnapshots(done);
  }

  private void finish() {
    if (family == null) {
      return;
    }
    String name = family.prometheusName();
    if (!counters.isEmpty()) {
      done.add(new CounterSnapshot(metadata(name), List.copyOf(counters)));
    } else if (!gauges.isEmpty()) {
      done.add(new GaugeSnapshot(metadata(name), List.copyOf(gauges)));
    } else if (!histograms.isEmpty()) {
      done.add(new HistogramSnapshot(metadata(name), List.copyOf(histograms)));
    }
    counters.clear();
    gauges.clear();
    histograms.clear();
    family = null;
  }

  private io.prometheus.metrics.model.snapshots.MetricMetadata metadata(String name) {
    return new io.prometheus.metrics.model.snapshots.MetricMetadata(name, family.help());
  }
}

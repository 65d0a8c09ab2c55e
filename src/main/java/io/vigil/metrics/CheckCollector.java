package io.vigil.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/** The per-check series in the registry's Prometheus registry, for {@code registry.scrape()}. */
final class CheckCollector implements MultiCollector {
  private static final List<String> NAMES = Arrays.stream(Family.values()).map(Family::prometheusName).toList();
  private final CheckFamilies families;

  CheckCollector(CheckFamilies families) {
    this.families = families;
  }

  @Override
  public MetricSnapshots collect() {
    SnapshotSink sink = new SnapshotSink();
    families.writeTo(sink);
    return sink.snapshots();
  }

  /** Nothing is built when the scrape wants none of these names (Vigil's own {@code /metrics}). */
  @Override
  public MetricSnapshots collect(Predicate<String> includedNames) {
    if (NAMES.stream().noneMatch(includedNames)) {
      return new MetricSnapshots();
    }
    return new MetricSnapshots(collect().stream()
        .filter(s -> includedNames.test(s.getMetadata().getPrometheusName())).toList());
  }

  @Override
  public List<String> getPrometheusNames() {
    return NAMES;
  }
}

package io.vigil.http;

import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.metrics.CheckFamilies;
import io.vigil.metrics.Family;
import io.vigil.metrics.SeriesSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code /metrics?format=json}: every meter with its tags and current measurements, the checks'
 * series in the shape Micrometer gives its meters (a latency histogram is a {@code timer} with
 * {@code count}, {@code total} and {@code max} seconds). Non-finite values are null.
 */
final class JsonMeters implements SeriesSink {
  private final JsonArray meters;
  private final List<JsonObject> timers = new ArrayList<>();
  private Family family;
  private int maxes;

  private JsonMeters(JsonArray meters) {
    this.meters = meters;
  }

  static JsonObject of(MeterRegistry registry, CheckFamilies families) {
    JsonArray meters = new JsonArray();
    families.writeTo(new JsonMeters(meters));
    for (Meter m : registry.getMeters()) {
      JsonObject tags = new JsonObject();
      for (Tag t : m.getId().getTags()) {
        tags.put(t.getKey(), t.getValue());
      }
      JsonObject values = new JsonObject();
      for (Measurement v : m.measure()) {
        values.put(v.getStatistic().getTagValueRepresentation(), finite(v.getValue()));
      }
      meters.add(meter(m.getId().getName(), m.getId().getType().name().toLowerCase(Locale.ROOT), tags, values));
    }
    return new JsonObject().put("meters", meters);
  }

  @Override
  public void family(Family f) {
    family = f;
  }

  @Override
  public void sample(String[] labels, double value) {
    if (family == Family.DURATION_MAX) {
      timers.get(maxes++).getJsonObject("values").put("max", finite(value)); // same order as the histograms
      return;
    }
    boolean counter = family.kind() == Family.Kind.COUNTER;
    meters.add(meter(family.meterName(), counter ? "counter" : "gauge", tags(labels),
        new JsonObject().put(counter ? "count" : "value", finite(value))));
  }

  @Override
  public void histogram(String[] labels, double[] bounds, long[] cumulative, double sum) {
    JsonObject timer = meter(family.meterName(), "timer", tags(labels),
        new JsonObject().put("count", cumulative[bounds.length]).put("total", finite(sum)));
    timers.add(timer);
    meters.add(timer);
  }

  private static JsonObject meter(String name, String type, JsonObject tags, JsonObject values) {
    return new JsonObject().put("name", name).put("type", type).put("tags", tags).put("values", values);
  }

  private static JsonObject tags(String[] labels) {
    JsonObject tags = new JsonObject();
    for (int i = 0; i < labels.length; i += 2) {
      tags.put(labels[i], labels[i + 1]);
    }
    return tags;
  }

  private static Double finite(double d) {
    return Double.isFinite(d) ? d : null;
  }
}

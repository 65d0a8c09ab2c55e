package io.vigil.http;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /metrics}: Prometheus text by default, OpenMetrics when {@code Accept} asks for it, and
 * JSON with {@code ?format=json}. Reads the registry in memory; no I/O.
 */
public final class MetricsHandler implements Handler<RoutingContext> {
  static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";
  static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
  private final PrometheusMeterRegistry registry;

  public MetricsHandler(PrometheusMeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if ("json".equals(ctx.request().getParam("format"))) {
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(json(registry).encode());
      return;
    }
    String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
    String type = accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS : PROMETHEUS;
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, type).end(registry.scrape(type));
  }

  /** Every meter with its tags and current measurements. */
  static JsonObject json(MeterRegistry registry) {
    JsonArray meters = new JsonArray();
    for (Meter m : registry.getMeters()) {
      JsonObject tags = new JsonObject();
      for (Tag t : m.getId().getTags()) {
        tags.put(t.getKey(), t.getValue());
      }
      JsonObject values = new JsonObject();
      for (Measurement v : m.measure()) {
        double d = v.getValue();
        values.put(v.getStatistic().getTagValueRepresentation(), Double.isFinite(d) ? d : null);
      }
      meters.add(new JsonObject().put("name", m.getId().getName()).put("type", m.getId().getType().name().toLowerCase())
          .put("tags", tags).put("values", values));
    }
    return new JsonObject().put("meters", meters);
  }
}

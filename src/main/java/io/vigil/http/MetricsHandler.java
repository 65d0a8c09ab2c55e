package io.vigil.http;

import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vigil.engine.MonitorView;
import io.vigil.http.MetricsRenderer.Format;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code /metrics}: Prometheus text by default, OpenMetrics when {@code Accept} asks for it, JSON
 * with {@code ?format=json}. The body comes from the shared {@link MetricsRenderer} (off the event
 * loop, single flight, reused briefly) and is sent under the shared {@link SendGate}. HEAD answers
 * the headers and renders nothing.
 */
public final class MetricsHandler implements Handler<RoutingContext> {
  private static final Logger LOG = Logger.getLogger("vigil.http");
  /** Two large bodies in flight at once: enough for Prometheus pairs, little for the event loops. */
  static final int SENDS_AT_ONCE = 2;
  static final long SEND_HOLD_MS = 1000;
  /** Per permit: a 5 MB body (2,000 checks) a fifth of a second; see {@link SendGate}. */
  static final long SEND_BYTES_PER_SECOND = 32L << 20;

  private final PrometheusMeterRegistry registry;
  private final MonitorView view;
  private MetricsRenderer renderer;
  private SendGate gate;

  /**
   * A handler with its own renderer and gate, for embedding ({@code HealthMonitor.metricsHandler()}):
   * the registry's meters and the view's checks.
   */
  public MetricsHandler(PrometheusMeterRegistry registry, MonitorView view) {
    this.registry = registry;
    this.view = view;
  }

  /** A handler sharing {@code renderer} and {@code gate} with the other HTTP verticle instances. */
  MetricsHandler(MetricsRenderer renderer, SendGate gate) {
    this.registry = null;
    this.view = null;
    this.renderer = renderer;
    this.gate = gate;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String asked = ctx.request().getParam("format");
    Format format;
    if (asked == null) {
      format = Replies.accepts(ctx, "application/openmetrics-text") ? Format.OPENMETRICS : Format.PROMETHEUS;
    } else if (asked.toLowerCase(Locale.ROOT).equals("json")) {
      format = Format.JSON;
    } else {
      Replies.error(ctx, 400, "query parameter format must be json, or left out for Prometheus text (was \"" + asked + "\")");
      return;
    }
    HttpServerResponse res = ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, format.contentType);
    if (asked == null) {
      Replies.vary(ctx, true, false);
    }
    if (ctx.request().method() == HttpMethod.HEAD) {
      res.end();
      return;
    }
    ensureShared(ctx.vertx());
    Context context = ctx.vertx().getOrCreateContext();
    gate.enter(context, res, permit -> renderer.body(format).onComplete(ar -> context.runOnContext(v -> {
      if (res.closed()) {
        permit.release();
      } else if (ar.failed()) {
        permit.release();
        LOG.log(Level.SEVERE, "metrics rendering failed format=" + format, ar.cause());
        Replies.error(ctx, 500, "the monitor failed to render its metrics");
      } else {
        Replies.send(ctx, 200, format.contentType, ar.result()).onComplete(x -> permit.release(ar.result().length()));
      }
    })));
  }

  private synchronized void ensureShared(Vertx vertx) {
    if (renderer == null) {
      renderer = new MetricsRenderer(vertx, registry, view.checkFamilies(), view::changes);
      gate = new SendGate(vertx, SENDS_AT_ONCE, SEND_HOLD_MS, SEND_BYTES_PER_SECOND);
    }
  }
}

package io.vigil.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vigil.config.ServerConfig;
import io.vigil.config.ServingOptions;
import io.vigil.engine.MonitorView;

/**
 * What every HTTP verticle instance of one monitor shares: the read-only view, who sees details,
 * the rendered bodies, the metrics renderer and its send gate, and the SSE hub. Handlers are made
 * per instance ({@link #router}), on that instance's event loop; everything here is safe to use
 * from any of them.
 */
public final class Serving {
  /** Which endpoints a router carries: all of them, or the split of {@code server.management-port}. */
  public enum Surface {
    /** Probes, {@code /health}, {@code /metrics}, {@code /events} and the page: one port. */
    ALL,
    /** Probes and {@code /health}: the main port when a management port is set. */
    PROBES,
    /** {@code /metrics}, {@code /events} and the status page that follows them. */
    MANAGEMENT
  }

  private final Vertx vertx;
  private final MonitorView view;
  private final Access access;
  private final Renderings renderings;
  private final MetricsRenderer metrics;
  private final SendGate sends;
  private final ServingOptions options;
  private final int ringSize;
  private final long batchMs;
  private Future<EventHub> hub;

  public Serving(Vertx vertx, MonitorView view, ServerConfig server, PrometheusMeterRegistry registry) {
    this(vertx, view, server, registry, EventHub.RING, EventHub.BATCH_MS);
  }

  /** With the hub's ring size and batch delay chosen (tests). */
  Serving(Vertx vertx, MonitorView view, ServerConfig server, PrometheusMeterRegistry registry, int ringSize, long batchMs) {
    this.ringSize = ringSize;
    this.batchMs = batchMs;
    this.vertx = vertx;
    this.view = view;
    this.access = new Access(server.details(), server.token());
    this.renderings = new Renderings(vertx);
    this.metrics = new MetricsRenderer(vertx, registry, view.checkFamilies(), view::changes);
    this.sends = new SendGate(vertx, MetricsHandler.SENDS_AT_ONCE, MetricsHandler.SEND_HOLD_MS,
        MetricsHandler.SEND_BYTES_PER_SECOND);
    this.options = server.serving();
  }

  /** A router for one instance; call it on that instance's event loop. */
  public Router router(Surface surface) {
    return Routes.router(vertx, surface, new HealthHandlers(view, access, renderings),
        new MetricsHandler(metrics, sends), new EventStream(this, access), new AdminSilences(view, access));
  }

  /** The SSE hub, deployed on first use as a verticle of its own (its own event loop). */
  public synchronized Future<EventHub> hub() {
    if (hub == null) {
      EventHub h = new EventHub(view, access.tiers(), renderings, options.maxEventClients(), ringSize,
          heartbeatMs(options), batchMs);
      hub = vertx.deployVerticle(h).map(id -> h);
    }
    return hub;
  }

  /** The hub when it has been deployed, else null (meters read it). */
  synchronized EventHub hubIfStarted() {
    return hub != null && hub.succeeded() ? hub.result() : null;
  }

  SendGate sends() {
    return sends;
  }

  /** The metrics renderer (tests: single flight, reuse). */
  MetricsRenderer metrics() {
    return metrics;
  }

  Renderings renderings() {
    return renderings;
  }

  /** A heartbeat well inside the idle timeout, so that a quiet stream is never closed as idle. */
  private static long heartbeatMs(ServingOptions o) {
    return Math.min(EventHub.HEARTBEAT_MS, o.idleTimeout().toMillis() / 2);
  }
}

package io.vigil.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vigil.config.ServerConfig;
import io.vigil.engine.MonitorView;
import io.vigil.http.Serving.Surface;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The monitor's routes: probes with their aliases, /health, /metrics, /events, the page, and the
 * admin API's silences (token only). Every route but the admin API's answers GET and HEAD. On
 * Vigil's own servers ({@link #withErrors}) another method gets 405 with {@code Allow: GET, HEAD},
 * an unknown path 404, and errors are one line of JSON, never a stack trace.
 */
public final class Routes {
  private static final Logger LOG = Logger.getLogger("vigil.http");

  private Routes() {}

  /**
   * All routes on one router with state of its own (embedding: {@code HealthMonitor.healthRouter()}).
   * No error handlers: mounted as a sub-router, a path it does not know must fall through to the
   * application's routes. {@link #withErrors} adds them for Vigil's own servers.
   */
  public static Router router(Vertx vertx, MonitorView view, ServerConfig server, PrometheusMeterRegistry registry) {
    return new Serving(vertx, view, server, registry).router(Surface.ALL);
  }

  static Router router(Vertx vertx, Surface surface, HealthHandlers h, MetricsHandler metrics, EventStream events,
      AdminSilences admin) {
    Router router = Router.router(vertx);
    if (surface != Surface.MANAGEMENT) {
      route(router, h::live, "/health/live", "/livez");
      route(router, h.caughtUp(h::startup), "/health/startup", "/health/started");
      route(router, h.caughtUp(h::ready), "/health/ready", "/readyz");
      route(router, h.caughtUp(h::health), "/health");
      route(router, h.caughtUp(h::check), "/health/checks/:name");
    }
    if (surface != Surface.PROBES) {
      route(router, metrics, "/metrics");
      route(router, events, "/events");
      route(router, new StatusPage(), "/");
      admin.mount(router);
    }
    return router;
  }

  /** 404 and 405 (with {@code Allow}) as one line of JSON, 500 logged and never a stack trace. */
  static Router withErrors(Router router) {
    router.errorHandler(404, ctx -> Replies.error(ctx, 404, "not found"));
    router.errorHandler(405, ctx -> Replies.error(ctx, 405, "method not allowed"));
    router.errorHandler(500, ctx -> {
      LOG.log(Level.SEVERE, "request failed path=" + ctx.normalizedPath(), ctx.failure());
      Replies.error(ctx, 500, "the monitor failed to evaluate this request");
    });
    return router;
  }

  private static void route(Router router, Handler<RoutingContext> handler, String... paths) {
    for (String p : paths) {
      router.route(p).method(HttpMethod.GET).method(HttpMethod.HEAD).handler(handler);
    }
  }
}

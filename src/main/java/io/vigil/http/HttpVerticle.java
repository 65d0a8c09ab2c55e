package io.vigil.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vigil.HealthMonitor;
import io.vigil.config.ServerConfig;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Serves the monitor's routes. Unknown paths and methods get a short JSON error, never a stack trace. */
public final class HttpVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger("vigil.http");
  private final HealthMonitor monitor;
  private final ServerConfig config;
  private HttpServer server;

  public HttpVerticle(HealthMonitor monitor, ServerConfig config) {
    this.monitor = monitor;
    this.config = config;
  }

  @Override
  public Future<?> start() {
    Router router = monitor.healthRouter();
    router.errorHandler(404, ctx -> error(ctx, 404, "not found"));
    router.errorHandler(405, ctx -> error(ctx, 405, "method not allowed"));
    router.errorHandler(500, ctx -> {
      LOG.log(Level.SEVERE, "request failed path=" + ctx.normalizedPath(), ctx.failure());
      error(ctx, 500, "the monitor failed to evaluate this request");
    });
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.host()).setPort(config.port())
        .setMaxHeaderSize(8192).setMaxInitialLineLength(4096)
        .setIdleTimeout(60).setIdleTimeoutUnit(TimeUnit.SECONDS);
    server = vertx.createHttpServer(options).requestHandler(router);
    return server.listen().onSuccess(s ->
        LOG.info("listening host=" + config.host() + " port=" + s.actualPort()));
  }

  /** The bound port (useful when configured as 0). */
  public int port() {
    return server.actualPort();
  }

  /** Stops accepting connections and lets requests in flight finish, up to {@code timeoutMs}. */
  public Future<Void> shutdown(long timeoutMs) {
    return server.shutdown(timeoutMs, TimeUnit.MILLISECONDS);
  }

  private static void error(RoutingContext ctx, int code, String message) {
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(code).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
          .end(new JsonObject().put("error", message).put("path", ctx.normalizedPath()).encode());
    }
  }
}

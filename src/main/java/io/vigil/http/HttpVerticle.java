package io.vigil.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.Router;
import io.vigil.config.ServerConfig;
import io.vigil.http.HttpListeners.Port;
import io.vigil.http.Serving.Surface;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One instance of the HTTP side. The program deploys {@link #instances()} of them, one per core, so
 * that connections spread over that many event loops; each builds its own handlers on its own loop
 * and reads the shared {@link Serving} state. All instances of one monitor share
 * {@link HttpListeners}: shutting down any one of them shuts every port down.
 */
public final class HttpVerticle extends VerticleBase {
  private final Function<Surface, Router> routes;
  private final HttpListeners listeners;

  /** One instance serving every route of {@code routes} on {@code config}'s port (tests, embedding). */
  public HttpVerticle(Supplier<Router> routes, ServerConfig config) {
    this.routes = surface -> Routes.withErrors(routes.get());
    this.listeners = new HttpListeners(config.withServing(config.serving().withoutManagementPort()));
  }

  /** An instance serving {@code serving}'s routes on the shared {@code listeners}. */
  public HttpVerticle(Serving serving, HttpListeners listeners) {
    this.routes = surface -> Routes.withErrors(serving.router(surface));
    this.listeners = listeners;
  }

  /** How many instances the program deploys: one per core the JVM may use. */
  public static int instances() {
    return Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  @Override
  public Future<?> start() {
    listeners.bind(vertx);
    if (!listeners.split()) {
      return listeners.listen(Port.MAIN, routes.apply(Surface.ALL));
    }
    return Future.all(listeners.listen(Port.MAIN, routes.apply(Surface.PROBES)),
        listeners.listen(Port.MANAGEMENT, routes.apply(Surface.MANAGEMENT)));
  }

  /** The bound main port (useful when configured as 0). */
  public int port() {
    return listeners.port();
  }

  /** Stops accepting connections on every port and lets requests in flight finish, up to {@code timeoutMs}. */
  public Future<Void> shutdown(long timeoutMs) {
    return listeners.shutdown(timeoutMs);
  }
}

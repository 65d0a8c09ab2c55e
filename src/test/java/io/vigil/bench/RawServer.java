package io.vigil.bench;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;

/**
 * The limit for probe throughput ({@code bench/probe.py}): a bare Vert.x HTTP server, one verticle
 * as Vigil's HTTP verticle is, answering every request with the body and headers of a passing
 * probe. No router, no metrics, no snapshot: what is left is Vert.x and the socket.
 *
 * <p>Usage: {@code RawServer PORT}. Listens on 127.0.0.1 only.
 */
public final class RawServer extends VerticleBase {
  private static final String BODY = "{\"status\":\"UP\"}";
  private final int port;

  private RawServer(int port) {
    this.port = port;
  }

  public static void main(String[] args) {
    BenchMain.deploy(new RawServer(Integer.parseInt(args[0])));
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
        .requestHandler(req -> req.response()
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
            .end(BODY))
        .listen();
  }
}

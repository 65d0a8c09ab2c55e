package io.vigil.faults;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.TestPorts;

/**
 * A stand-in for the platform's API or worker on 127.0.0.1: healthy, wrong on demand, failing when
 * the store it depends on is faulted (as a real one's own health would), and restartable on the same
 * port: {@link #stop()} closes the Vert.x server and its connections, {@link #start()} listens again.
 * The port is below the ephemeral range, so a stopped one really refuses (see TestPorts).
 */
final class AppServer {
  private final Vertx vertx;
  private final String name;
  private final int port = TestPorts.closed();
  private HttpServer server;
  volatile boolean wrong;
  volatile boolean dependencyDown;

  AppServer(Vertx vertx, String name) {
    this.vertx = vertx;
    this.name = name;
  }

  int port() {
    return port;
  }

  synchronized AppServer start() {
    if (server == null) {
      server = MonitorFixture.await(vertx.createHttpServer().requestHandler(req -> {
        if (dependencyDown) {
          req.response().setStatusCode(503).end("{\"status\":\"unhealthy\"}");
        } else if (wrong && name.equals("api")) {
          req.response().setStatusCode(500).end("internal error");
        } else if (wrong) {
          req.response().end("{\"status\":\"sick\"}");
        } else {
          req.response().putHeader("content-type", "application/json").end("{\"status\":\"healthy\"}");
        }
      }).listen(port, "127.0.0.1"));
    }
    return this;
  }

  synchronized void stop() {
    if (server != null) {
      MonitorFixture.await(server.close());
      server = null;
    }
  }
}

package io.vigil.stack;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.testsupport.MonitorFixture;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stand-ins for the platform behind nginx: two API instances and the worker, as small Vert.x
 * servers that count requests, upstream connections and static hits, echo WebSocket messages,
 * and answer {@code /api/slow} late (to hold connections open).
 */
final class PlatformUpstreams implements AutoCloseable {
  /** One upstream server and what it saw. */
  static final class Upstream {
    final String name;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger staticHits = new AtomicInteger();
    final Set<HttpConnection> connections = ConcurrentHashMap.newKeySet();
    HttpServer server;

    Upstream(String name) {
      this.name = name;
    }

    int port() {
      return server.actualPort();
    }
  }

  final Vertx vertx = Vertx.vertx();
  final Upstream api1 = new Upstream("api1");
  final Upstream api2 = new Upstream("api2");
  final Upstream worker = new Upstream("worker");

  PlatformUpstreams() {
    for (Upstream u : List.of(api1, api2, worker)) {
      u.server = MonitorFixture.await(vertx.createHttpServer()
          .requestHandler(req -> handle(u, req))
          .webSocketHandler(ws -> echo(u, ws))
          .listen(0, "127.0.0.1"));
    }
  }

  private void handle(Upstream u, HttpServerRequest req) {
    u.requests.incrementAndGet();
    u.connections.add(req.connection());
    String path = req.path();
    if (path.equals("/health")) {
      json(req, 200, new JsonObject().put("status", "healthy"));
    } else if (path.startsWith("/static/")) {
      u.staticHits.incrementAndGet();
      req.response().putHeader("Content-Type", "text/css").end("body { color: #222; }\n".repeat(40));
    } else if (path.equals("/api/slow")) {
      vertx.setTimer(1500, t -> json(req, 200, body(u, path)));
    } else if (path.equals("/api/missing")) {
      json(req, 404, new JsonObject().put("error", "not found"));
    } else {
      json(req, 200, body(u, path));
    }
  }

  /** A JSON body large enough for gzip (nginx skips bodies under gzip_min_length). */
  private static JsonObject body(Upstream u, String path) {
    JsonArray items = new JsonArray();
    for (int i = 0; i < 30; i++) {
      items.add(new JsonObject().put("id", i).put("name", "item-" + i));
    }
    return new JsonObject().put("instance", u.name).put("path", path).put("items", items);
  }

  private static void json(HttpServerRequest req, int status, JsonObject body) {
    req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  private static void echo(Upstream u, ServerWebSocket ws) {
    if (!ws.path().equals("/ws/echo")) {
      ws.close((short) 1008, "unknown path");
      return;
    }
    ws.textMessageHandler(text -> ws.writeTextMessage(u.name + ": " + text));
  }

  List<Upstream> apis() {
    return new ArrayList<>(List.of(api1, api2));
  }

  @Override
  public void close() {
    MonitorFixture.await(vertx.close());
  }
}

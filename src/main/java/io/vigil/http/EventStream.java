package io.vigil.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vigil.HealthMonitor;
import io.vigil.bus.Addresses;
import io.vigil.bus.EventJson;
import java.util.function.Predicate;

/**
 * {@code /events}: Server-Sent Events for browsers. A new client first gets the snapshot, then every
 * result and transition; each event's {@code id} is its seq. A client too slow to keep up is
 * disconnected rather than buffered without bound: its browser reconnects and resyncs from the
 * snapshot. When the server shuts down, streams end so that the drain is not held open.
 */
public final class EventStream implements Handler<RoutingContext> {
  private static final long HEARTBEAT_MS = 15_000;
  private final Vertx vertx;
  private final HealthMonitor monitor;
  private final Predicate<RoutingContext> details;

  public EventStream(Vertx vertx, HealthMonitor monitor, Predicate<RoutingContext> details) {
    this.vertx = vertx;
    this.monitor = monitor;
    this.details = details;
  }

  @Override
  public void handle(RoutingContext ctx) {
    boolean withDetails = details.test(ctx);
    HttpServerResponse res = ctx.response();
    res.setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .putHeader("X-Accel-Buffering", "no"); // nginx: pass events through, do not buffer them
    JsonObject snap = EventJson.snapshot(monitor.checkHealth(), withDetails);
    res.write("retry: 2000\n\n");
    send(res, "snapshot", snap.getLong("seq"), snap);
    MessageConsumer<JsonObject> results = vertx.eventBus().localConsumer(Addresses.RESULT,
        m -> send(res, "result", m.body().getLong("seq"), withDetails ? m.body() : m.body().copy().putNull("message")));
    MessageConsumer<JsonObject> changes = vertx.eventBus().localConsumer(Addresses.CHANGED,
        m -> send(res, "status", m.body().getLong("seq"), m.body()));
    long heartbeat = vertx.setPeriodic(HEARTBEAT_MS, id -> {
      if (!res.ended()) {
        res.write(": keep-alive\n\n");
      }
    });
    Runnable cleanup = () -> {
      results.unregister();
      changes.unregister();
      vertx.cancelTimer(heartbeat);
    };
    res.closeHandler(v -> cleanup.run());
    res.endHandler(v -> cleanup.run());
    ctx.request().connection().shutdownHandler(v -> {
      if (!res.ended()) {
        res.end();
      }
    });
  }

  private static void send(HttpServerResponse res, String event, Long seq, JsonObject data) {
    if (res.ended() || res.closed()) {
      return;
    }
    if (res.writeQueueFull()) {
      res.reset(); // too slow: drop the client, not memory
      return;
    }
    res.write("event: " + event + "\nid: " + seq + "\ndata: " + data.encode() + "\n\n");
  }
}

package io.vigil.http;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.OptionalLong;

/**
 * {@code /events}: Server-Sent Events, served by the shared {@link EventHub}. A new client gets the
 * snapshot, then every result, transition and lifecycle phase; each event's {@code id} is its seq,
 * and a client that comes back with {@code Last-Event-ID} resumes after it when the hub still holds
 * what followed. Past {@code server.events.max-clients}, 503 with {@code Retry-After}. When the
 * server shuts down, streams end so that the drain is not held open.
 */
final class EventStream implements Handler<RoutingContext> {
  static final String RETRY_AFTER_SECONDS = "5";
  private final Serving serving;
  private final Access access;

  EventStream(Serving serving, Access access) {
    this.serving = serving;
    this.access = access;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerResponse res = ctx.response();
    res.putHeader(HttpHeaders.CACHE_CONTROL, Replies.NO_STORE);
    Replies.vary(ctx, false, access.dependsOnAuthorization());
    if (ctx.request().method() == HttpMethod.HEAD) {
      res.putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8").end();
      return;
    }
    Context context = ctx.vertx().getOrCreateContext();
    serving.hub().onComplete(ar -> {
      if (Vertx.currentContext() == context) {
        start(ctx, context, ar.succeeded() ? ar.result() : null);
      } else {
        context.runOnContext(v -> start(ctx, context, ar.succeeded() ? ar.result() : null));
      }
    });
  }

  private void start(RoutingContext ctx, Context context, EventHub hub) {
    HttpServerResponse res = ctx.response();
    if (res.closed()) {
      return;
    }
    if (hub == null) {
      ctx.fail(500);
      return;
    }
    if (!hub.admit()) {
      res.putHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS).putHeader(HttpHeaders.CONNECTION, "close");
      Replies.error(ctx, 503, "too many /events subscribers; retry later");
      return;
    }
    res.setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader("X-Accel-Buffering", "no"); // nginx: pass events through, do not buffer them
    hub.subscribe(context, ctx.request().connection(), res, access.tier(ctx.request()), lastEventId(ctx));
    ctx.request().connection().shutdownHandler(v -> {
      if (!res.ended() && !res.closed()) {
        res.end();
      }
    });
  }

  /** The {@code Last-Event-ID} a reconnecting EventSource sends; a value that is not a seq is ignored. */
  private static OptionalLong lastEventId(RoutingContext ctx) {
    String id = ctx.request().getHeader("Last-Event-ID");
    if (id == null || id.isBlank()) {
      return OptionalLong.empty();
    }
    try {
      long seq = Long.parseLong(id.trim());
      return seq >= 0 ? OptionalLong.of(seq) : OptionalLong.empty();
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}

package io.vigil.http;

import io.netty.channel.Channel;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** How every handler answers: headers, bodies with a deadline, one-line JSON errors, query flags. */
final class Replies {
  static final String JSON = "application/json";
  static final String TEXT = "text/plain; charset=utf-8";
  static final String NO_STORE = "no-store";
  /** A body still not written out after this long goes to a client that does not read: cut it. */
  static final long SEND_DEADLINE_MS = 10_000;
  /** Every route answers these two methods. */
  static final String ALLOW = "GET, HEAD";

  private Replies() {}

  /** Ends the response with {@code body}; a large body that is not written out in time closes the connection. */
  static Future<Void> send(RoutingContext ctx, int code, String type, Buffer body) {
    HttpServerResponse res = ctx.response().setStatusCode(code).putHeader(HttpHeaders.CONTENT_TYPE, type);
    Future<Void> sent = res.end(body);
    if (body.length() > Renderings.LARGE && !sent.isComplete()) {
      long timer = ctx.vertx().setTimer(SEND_DEADLINE_MS, id -> {
        if (!sent.isComplete()) {
          abort(ctx.request().connection());
        }
      });
      sent.onComplete(ar -> ctx.vertx().cancelTimer(timer));
    }
    return sent;
  }

  /**
   * Closes {@code conn} now, dropping what it still has to send. Vert.x's own close first flushes
   * what is queued, which for a client that does not read means never (until the idle timeout), and
   * the queued bytes stay pinned meanwhile; closing the Netty channel's transport fails them at once.
   */
  static void abort(HttpConnection conn) {
    if (conn instanceof ConnectionBase base) {
      // Straight to the transport: a close through the pipeline is Vert.x's graceful one.
      Channel ch = base.channel();
      ch.eventLoop().execute(() -> ch.unsafe().close(ch.voidPromise()));
    } else {
      conn.close();
    }
  }

  /** Adds {@code Vary} for what the body depends on besides the path and query. */
  static void vary(RoutingContext ctx, boolean accept, boolean authorization) {
    if (accept && authorization) {
      ctx.response().putHeader(HttpHeaders.VARY, "Accept, Authorization");
    } else if (accept) {
      ctx.response().putHeader(HttpHeaders.VARY, "Accept");
    } else if (authorization) {
      ctx.response().putHeader(HttpHeaders.VARY, "Authorization");
    }
  }

  /** {@code {"error": message, "path": path}} with {@code code}; never a stack trace. */
  static void error(RoutingContext ctx, int code, String message) {
    HttpServerResponse res = ctx.response();
    if (res.ended() || res.closed() || res.headWritten()) {
      return;
    }
    res.setStatusCode(code).putHeader(HttpHeaders.CONTENT_TYPE, JSON).putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE);
    if (code == 405) {
      res.putHeader(HttpHeaders.ALLOW, ALLOW);
    }
    res.end(new JsonObject().put("error", message).put("path", ctx.normalizedPath()).encode());
  }

  /**
   * A boolean query flag: absent, {@code =false} or {@code =0} is false; present bare, {@code =true}
   * or {@code =1} is true. Anything else is empty, and the caller answers 400.
   */
  static Optional<Boolean> flag(RoutingContext ctx, String name) {
    List<String> values = ctx.queryParam(name);
    if (values.isEmpty()) {
      return Optional.of(false);
    }
    return switch (values.get(0).trim().toLowerCase(Locale.ROOT)) {
      case "", "true", "1" -> Optional.of(true);
      case "false", "0" -> Optional.of(false);
      default -> Optional.empty();
    };
  }

  /** The 400 for a bad flag: names the parameter and what it was. */
  static void badFlag(RoutingContext ctx, String name) {
    error(ctx, 400, "query parameter " + name + " must be true or false (was \"" + ctx.queryParam(name).get(0) + "\")");
  }

  /** Whether the {@code Accept} header names {@code type}. */
  static boolean accepts(RoutingContext ctx, String type) {
    String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
    return accept != null && accept.toLowerCase(Locale.ROOT).contains(type);
  }
}

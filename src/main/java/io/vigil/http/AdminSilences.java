package io.vigil.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vigil.config.Durations;
import io.vigil.engine.MonitorView;
import io.vigil.maintenance.Maintenance;
import io.vigil.model.CheckStatus;
import io.vigil.model.Silence;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * {@code POST/GET /admin/silences} and {@code DELETE /admin/silences/:id}: silences that put checks
 * in maintenance for a while (state tracked and flagged, notifications held back). Every request
 * must carry {@code Authorization: Bearer <server.token>}; without one, or with a wrong one, the
 * answer is 401 and nothing changes (with no token configured the API is off: 401 saying so). A bad
 * body is a 400 naming the field; the token is checked before the body is read.
 */
final class AdminSilences {
  private static final Logger LOG = Logger.getLogger("vigil.admin");
  static final String PATH = "/admin/silences";
  static final int MAX_BODY = 16 * 1024;
  static final int MAX_TEXT = 1_000;
  private final MonitorView view;
  private final Access access;

  AdminSilences(MonitorView view, Access access) {
    this.view = view;
    this.access = access;
  }

  void mount(Router router) {
    router.route(PATH).handler(this::authorize);
    router.route(PATH + "/*").handler(this::authorize);
    router.post(PATH).handler(BodyHandler.create(false).setBodyLimit(MAX_BODY)).handler(this::create);
    router.get(PATH).handler(this::list);
    router.delete(PATH + "/:id").handler(this::delete);
    router.route(PATH).handler(ctx -> notAllowed(ctx, "GET, POST"));
    router.route(PATH + "/:id").handler(ctx -> notAllowed(ctx, "DELETE"));
  }

  private static void notAllowed(RoutingContext ctx, String allow) {
    ctx.response().setStatusCode(405).putHeader(HttpHeaders.ALLOW, allow).putHeader(HttpHeaders.CONTENT_TYPE, Replies.JSON)
        .end(new JsonObject().put("error", "method not allowed").put("path", ctx.normalizedPath()).encode());
  }

  private void authorize(RoutingContext ctx) {
    if (access.bearerMatches(ctx.request().getHeader(HttpHeaders.AUTHORIZATION))) {
      ctx.next();
      return;
    }
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"vigil-admin\"");
    Replies.error(ctx, 401, access.tokenSet() ? "the admin API needs Authorization: Bearer <server.token>"
        : "the admin API is off: set server.token to use it");
  }

  private void create(RoutingContext ctx) {
    Buffer raw = ctx.body().buffer();
    JsonObject body;
    try {
      Object parsed = raw == null || raw.length() == 0 ? null : Json.decodeValue(raw);
      if (parsed instanceof Map<?, ?> map) {
        parsed = new JsonObject(castMap(map));
      }
      if (!(parsed instanceof JsonObject o)) {
        Replies.error(ctx, 400, "the body must be a JSON object such as {\"checks\":[\"redis\"],\"duration\":\"30m\","
            + "\"author\":\"ana\",\"comment\":\"failover test\"}");
        return;
      }
      body = o;
    } catch (DecodeException e) {
      Replies.error(ctx, 400, "the body is not JSON: " + firstLine(e.getMessage()));
      return;
    }
    List<String> problems = new ArrayList<>();
    List<String> checks = checks(body.getValue("checks"), problems);
    Duration duration = duration(body.getValue("duration"), problems);
    String author = text(body, "author", problems);
    String comment = text(body, "comment", problems);
    for (String key : body.fieldNames()) {
      if (!List.of("checks", "duration", "author", "comment").contains(key)) {
        problems.add("unknown field \"" + key + "\"");
      }
    }
    if (!problems.isEmpty()) {
      Replies.error(ctx, 400, String.join("; ", problems));
      return;
    }
    Instant now = Instant.now();
    Silence s = new Silence(UUID.randomUUID().toString(), checks, now, now.plus(duration), author, comment);
    Maintenance m = view.maintenance();
    if (m.add(s).isEmpty()) {
      Replies.error(ctx, 409, "there are " + Maintenance.MAX_SILENCES + " silences already; delete some first");
      return;
    }
    LOG.info("silence created id=" + s.id() + " checks=" + (checks.isEmpty() ? "all" : String.join(",", checks))
        + " duration=" + Durations.format(duration) + " author=" + (author == null ? "-" : author));
    send(ctx, 201, json(s));
  }

  private void list(RoutingContext ctx) {
    JsonArray out = new JsonArray();
    view.maintenance().silences(Instant.now()).forEach(s -> out.add(json(s)));
    send(ctx, 200, new JsonObject().put("silences", out));
  }

  private void delete(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!view.maintenance().remove(id)) {
      Replies.error(ctx, 404, "no silence with id \"" + id + "\"");
      return;
    }
    LOG.info("silence deleted id=" + id);
    ctx.response().setStatusCode(204).putHeader(HttpHeaders.CACHE_CONTROL, Replies.NO_STORE).end();
  }

  private List<String> checks(Object value, List<String> problems) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray a)) {
      problems.add("checks must be a list of check names (absent or empty: every check)");
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      Object name = a.getValue(i);
      CheckStatus known = name instanceof String n ? view.snapshot().status(n) : null;
      if (known == null) {
        problems.add("checks[" + i + "]: " + (name instanceof String ? "unknown check \"" + shorten((String) name) + "\""
            : "must be a check name"));
      } else if (!out.contains(known.name())) {
        out.add(known.name());
      }
    }
    return out;
  }

  private static Duration duration(Object value, List<String> problems) {
    if (!(value instanceof String text)) {
      problems.add("duration is required, as a string such as \"30m\" or \"2h\"");
      return null;
    }
    Duration d = Durations.parse(text);
    if (d == null) {
      problems.add("duration: \"" + shorten(text) + "\" is not a duration (write 500ms, 5s, 1m, 2h)");
    } else if (d.isNegative() || d.isZero() || d.compareTo(Durations.MAX) > 0) {
      problems.add("duration must be more than 0 and at most " + Durations.format(Durations.MAX) + " (was " + shorten(text) + ")");
      return null;
    }
    return d;
  }

  private static String text(JsonObject body, String key, List<String> problems) {
    Object v = body.getValue(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s) || s.length() > MAX_TEXT) {
      problems.add(key + " must be a string of at most " + MAX_TEXT + " characters");
      return null;
    }
    return s;
  }

  private static JsonObject json(Silence s) {
    return new JsonObject().put("id", s.id()).put("checks", new JsonArray(s.checks()))
        .put("startsAt", s.startsAt().toString()).put("endsAt", s.endsAt().toString())
        .put("author", s.author()).put("comment", s.comment());
  }

  private static void send(RoutingContext ctx, int code, JsonObject body) {
    ctx.response().setStatusCode(code).putHeader(HttpHeaders.CONTENT_TYPE, Replies.JSON)
        .putHeader(HttpHeaders.CACHE_CONTROL, Replies.NO_STORE).end(body.encode());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> map) {
    return (Map<String, Object>) map;
  }

  private static String shorten(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "..." : s;
  }

  private static String firstLine(String s) {
    String line = s == null ? "" : s.lines().findFirst().orElse("");
    return shorten(line);
  }
}

package io.vigil.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vigil.HealthMonitor;
import io.vigil.config.ServerConfig;
import io.vigil.status.CheckStatus;
import io.vigil.status.Snapshot;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The probe and {@code /health} handlers. Each reads the monitor's latest snapshot and nothing else:
 * no I/O, no lock, so probes answer fast however slow a dependency is.
 */
public final class HealthHandlers {
  private static final String NO_STORE = "no-store";
  private final HealthMonitor monitor;
  private final ServerConfig server;

  public HealthHandlers(HealthMonitor monitor, ServerConfig server) {
    this.monitor = monitor;
    this.server = server;
  }

  public void live(RoutingContext ctx) {
    probe(ctx, monitor.liveness(), "livez", List.of());
  }

  public void startup(RoutingContext ctx) {
    Snapshot s = monitor.checkHealth();
    probe(ctx, s.started(), "startup", s.checks());
  }

  public void ready(RoutingContext ctx) {
    Snapshot s = monitor.checkHealth();
    probe(ctx, monitor.readiness(), "readyz", s.checks().stream().filter(monitor.readinessGroup()).toList());
  }

  public void health(RoutingContext ctx) {
    Snapshot s = monitor.checkHealth();
    boolean details = detailsAllowed(ctx);
    int code = s.overall().healthy() ? 200 : 503;
    if (ctx.queryParams().contains("verbose")) {
      text(ctx, code, HealthFormats.verbose(s.checks(), s.overall().healthy(), "health", details));
    } else if (accepts(ctx, HealthFormats.HEALTH_JSON)) {
      send(ctx, code, HealthFormats.HEALTH_JSON, HealthFormats.healthJson(s, details));
    } else {
      send(ctx, code, "application/json", HealthFormats.microProfile(s, details));
    }
  }

  public void check(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    Optional<CheckStatus> found = monitor.checkHealth().check(name);
    if (found.isEmpty()) {
      send(ctx, 404, "application/json", new JsonObject().put("error", "no check named \"" + name + "\"").encode());
      return;
    }
    CheckStatus c = found.get();
    JsonObject body = new JsonObject().put("name", c.name()).put("status", c.up() ? "UP" : "DOWN");
    if (detailsAllowed(ctx)) {
      body.put("data", io.vigil.bus.EventJson.data(c));
    }
    send(ctx, c.up() ? 200 : 503, "application/json", body.encode());
  }

  /** Whether this caller may see check data and error text ({@code server.details}). */
  public boolean detailsAllowed(RoutingContext ctx) {
    return switch (server.details()) {
      case ALWAYS -> true;
      case NEVER -> false;
      case AUTHORIZED -> bearerMatches(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
    };
  }

  private boolean bearerMatches(String header) {
    if (header == null || !header.startsWith("Bearer ") || server.token().isEmpty()) {
      return false;
    }
    byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, server.token().getBytes(StandardCharsets.UTF_8));
  }

  private void probe(RoutingContext ctx, boolean up, String what, List<CheckStatus> checks) {
    int code = up ? 200 : 503;
    if (ctx.queryParams().contains("verbose")) {
      text(ctx, code, HealthFormats.verbose(checks, up, what, detailsAllowed(ctx)));
    } else {
      send(ctx, code, "application/json", up ? "{\"status\":\"UP\"}" : "{\"status\":\"DOWN\"}");
    }
  }

  private static boolean accepts(RoutingContext ctx, String type) {
    String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
    return accept != null && accept.contains(type);
  }

  private static void text(RoutingContext ctx, int code, String body) {
    send(ctx, code, "text/plain; charset=utf-8", body);
  }

  private static void send(RoutingContext ctx, int code, String type, String body) {
    ctx.response().setStatusCode(code)
        .putHeader(HttpHeaders.CONTENT_TYPE, type)
        .putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE)
        .end(body);
  }
}

package io.vigil.http;

import io.vertx.core.Future;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vigil.engine.MonitorView;
import io.vigil.http.Renderings.Kind;
import io.vigil.http.Renderings.Rendered;
import io.vigil.model.CheckStatus;
import io.vigil.model.Snapshot;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The probe and {@code /health} handlers of one HTTP verticle instance. Each reads the monitor's
 * latest snapshot and nothing else: no I/O, no lock. A probe's plain body is a constant; every other
 * body comes from the shared {@link Renderings}, so it is rendered once per snapshot, kind and tier
 * however many callers ask, and off the event loop when it is large.
 */
final class HealthHandlers {
  private static final Logger LOG = Logger.getLogger("vigil.http");
  private static final Buffer UP = Bodies.direct("{\"status\":\"UP\"}");
  private static final Buffer DOWN = Bodies.direct("{\"status\":\"DOWN\"}");
  private static final Buffer LIVE_PASSED = Bodies.direct("livez check passed\n");
  private static final Buffer LIVE_FAILED = Bodies.direct("livez check failed\n");
  private final MonitorView monitor;
  private final Access access;
  private final Renderings renderings;

  HealthHandlers(MonitorView monitor, Access access, Renderings renderings) {
    this.monitor = monitor;
    this.access = access;
    this.renderings = renderings;
  }

  /**
   * {@code handler}, run once the snapshot holds no result past its max-age: at once in the normal
   * case; after a stall (a frozen process thawed) once the board has expired what went stale, so the
   * first answer after it does not call an 8 s old result UP.
   */
  Handler<RoutingContext> caughtUp(Handler<RoutingContext> handler) {
    return ctx -> {
      Future<Void> ready = monitor.caughtUp();
      if (ready.succeeded()) {
        handler.handle(ctx);
        return;
      }
      Context here = ctx.vertx().getOrCreateContext();
      ready.onComplete(x -> here.runOnContext(v -> handler.handle(ctx)));
    };
  }

  void live(RoutingContext ctx) {
    boolean up = monitor.live();
    verbose(ctx).ifPresent(verbose -> {
      probeHeaders(ctx, verbose);
      if (verbose) {
        Replies.send(ctx, code(up), Replies.TEXT, up ? LIVE_PASSED : LIVE_FAILED);
      } else {
        Replies.send(ctx, code(up), Replies.JSON, up ? UP : DOWN);
      }
    });
  }

  void startup(RoutingContext ctx) {
    Snapshot s = monitor.snapshot();
    probe(ctx, s.started(), Kind.VERBOSE_STARTUP, "startup", s, Snapshot::checks);
  }

  void ready(RoutingContext ctx) {
    Snapshot s = monitor.snapshot();
    probe(ctx, monitor.ready(), Kind.VERBOSE_READY, "readyz", s,
        snap -> snap.checks().stream().filter(monitor.readinessGroup()).toList());
  }

  void health(RoutingContext ctx) {
    verbose(ctx).ifPresent(verbose -> {
      Snapshot now = monitor.snapshot();
      Tier tier = access.tier(ctx.request());
      ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, Replies.NO_STORE);
      Replies.vary(ctx, true, access.dependsOnAuthorization());
      Future<Rendered> r;
      String type;
      if (verbose) {
        r = renderings.get(Kind.VERBOSE_HEALTH, tier, false, now,
            s -> HealthFormats.verbose(s.checks(), s.overall().healthy(), "health", tier));
        type = Replies.TEXT;
      } else if (Replies.accepts(ctx, HealthFormats.HEALTH_JSON)) {
        r = renderings.get(Kind.HEALTH_JSON, tier, false, now, s -> HealthFormats.healthJson(s, tier));
        type = HealthFormats.HEALTH_JSON;
      } else {
        r = renderings.get(Kind.MICROPROFILE, tier, false, now, s -> HealthFormats.microProfile(s, tier));
        type = Replies.JSON;
      }
      // The code comes from the snapshot the body was rendered from, so the two always agree.
      answer(ctx, r, type, rendered -> code(rendered.snapshot().overall().healthy()));
    });
  }

  void check(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    Snapshot s = monitor.snapshot();
    Optional<CheckStatus> found = s.check(name);
    if (found.isEmpty()) {
      Replies.error(ctx, 404, "no check named \"" + name + "\"");
      return;
    }
    Tier tier = access.tier(ctx.request());
    probeHeaders(ctx, false);
    Rendered r = renderings.check(name, tier, s, snap -> HealthFormats.check(snap.check(name).orElseThrow(), tier));
    boolean up = r.snapshot().check(name).map(CheckStatus::up).orElse(false);
    Replies.send(ctx, code(up), Replies.JSON, r.body());
  }

  private void probe(RoutingContext ctx, boolean up, Kind kind, String what, Snapshot s,
      Function<Snapshot, List<CheckStatus>> checks) {
    verbose(ctx).ifPresent(verbose -> {
      probeHeaders(ctx, verbose);
      if (verbose) {
        Tier tier = access.tier(ctx.request());
        // The probe's outcome is part of the key, so the code is always today's, whatever the body's age.
        Future<Rendered> r = renderings.get(kind, tier, up, s, snap -> HealthFormats.verbose(checks.apply(snap), up, what, tier));
        answer(ctx, r, Replies.TEXT, rendered -> code(up));
      } else {
        Replies.send(ctx, code(up), Replies.JSON, up ? UP : DOWN);
      }
    });
  }

  /** Sends the body once rendered (at once when it was ready), with the code {@code code} gives for it. */
  private static void answer(RoutingContext ctx, Future<Rendered> body, String type, ToIntFunction<Rendered> code) {
    body.onComplete(ar -> {
      if (ctx.response().closed()) {
        return;
      }
      if (ar.failed()) {
        LOG.log(Level.SEVERE, "rendering failed path=" + ctx.request().path(), ar.cause());
        Replies.error(ctx, 500, "the monitor failed to render its health");
      } else {
        Replies.send(ctx, code.applyAsInt(ar.result()), type, ar.result().body());
      }
    });
  }

  private void probeHeaders(RoutingContext ctx, boolean verbose) {
    ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, Replies.NO_STORE);
    Replies.vary(ctx, false, verbose && access.dependsOnAuthorization());
  }

  /** The {@code verbose} flag, or empty after answering 400 for a value that is not a boolean. */
  private static Optional<Boolean> verbose(RoutingContext ctx) {
    Optional<Boolean> v = Replies.flag(ctx, "verbose");
    if (v.isEmpty()) {
      Replies.badFlag(ctx, "verbose");
    }
    return v;
  }

  private static int code(boolean up) {
    return up ? 200 : 503;
  }
}

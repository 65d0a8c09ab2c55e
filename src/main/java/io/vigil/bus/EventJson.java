package io.vigil.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.status.CheckResult;
import io.vigil.status.CheckStatus;
import io.vigil.status.Reason;
import io.vigil.status.Snapshot;
import io.vigil.status.Transition;
import java.time.Instant;

/**
 * JSON payloads of events and of the snapshot. Plain JSON, so that a clustered event bus and
 * non-Java clients carry them unchanged. Messages in here are already scrubbed of credentials.
 */
public final class EventJson {
  private EventJson() {}

  /** {@code {check, type, ok, state, latencyMs, reason, message, cause, at, seq}}. */
  public static JsonObject result(CheckResult r, CheckStatus status, long seq) {
    JsonObject j = new JsonObject()
        .put("check", r.check())
        .put("type", r.type())
        .put("ok", r.ok())
        .put("state", status.state().name())
        .put("latencyMs", round(r.latencyMs()))
        .put("reason", label(r.reason()))
        .put("message", r.message())
        .put("cause", r.ok() ? null : status.cause())
        .put("at", r.at().toString())
        .put("seq", seq);
    return j;
  }

  /** {@code {check, from, to, reason, cause, at, seq}}. */
  public static JsonObject transition(Transition t) {
    return new JsonObject()
        .put("check", t.check())
        .put("from", t.from())
        .put("to", t.to())
        .put("reason", label(t.reason()))
        .put("cause", t.cause())
        .put("at", t.at().toString())
        .put("seq", t.seq());
  }

  /** {@code {phase, at}}. */
  public static JsonObject lifecycle(Phase phase, Instant at) {
    return new JsonObject().put("phase", phase.name()).put("at", at.toString());
  }

  /**
   * The snapshot in MicroProfile Health shape: {@code {status, checks:[{name, status, data}]}} plus
   * {@code seq}, {@code started}, {@code ready}. With {@code details} false, only names and states.
   */
  public static JsonObject snapshot(Snapshot s, boolean details) {
    JsonArray checks = new JsonArray();
    for (CheckStatus c : s.checks()) {
      JsonObject check = new JsonObject().put("name", c.name()).put("status", c.up() ? "UP" : "DOWN");
      if (details) {
        check.put("data", data(c));
      }
      checks.add(check);
    }
    return new JsonObject()
        .put("status", s.overall().name())
        .put("checks", checks)
        .put("seq", s.seq())
        .put("started", s.started())
        .put("ready", s.ready())
        .put("draining", s.draining())
        .put("at", s.at().toString());
  }

  /** The flat {@code data} object of one check. */
  public static JsonObject data(CheckStatus c) {
    JsonObject d = new JsonObject()
        .put("type", c.type())
        .put("critical", c.critical())
        .put("state", c.displayState())
        .put("latencyMs", c.latencyMs() == null ? null : round(c.latencyMs()))
        .put("reason", label(c.reason()))
        .put("message", c.message())
        .put("cause", c.cause())
        .put("since", text(c.since()))
        .put("lastSuccess", text(c.lastSuccess()))
        .put("lastResult", text(c.lastResultAt()))
        .put("consecutiveFailures", c.consecutiveFailures());
    if (!c.dependsOn().isEmpty()) {
      d.put("dependsOn", new JsonArray(c.dependsOn()));
    }
    c.data().forEach((k, v) -> {
      if (!d.containsKey(k)) {
        d.put(k, v);
      }
    });
    return d;
  }

  static String label(Reason r) {
    return r == null ? null : r.label();
  }

  private static String text(Instant i) {
    return i == null ? null : i.toString();
  }

  private static double round(double ms) {
    return Math.round(ms * 1000) / 1000.0;
  }
}

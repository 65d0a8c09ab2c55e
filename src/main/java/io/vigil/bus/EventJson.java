package io.vigil.bus;

import io.vigil.model.Phase;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.model.CheckResult;
import io.vigil.model.CheckStatus;
import io.vigil.model.Reason;
import io.vigil.model.Snapshot;
import io.vigil.model.Transition;
import java.time.Duration;
import java.time.Instant;

/**
 * JSON payloads of events and of the snapshot. Plain JSON, so that a clustered event bus and
 * non-Java clients carry them unchanged. Messages in here are already scrubbed of credentials.
 *
 * <p>One truth: {@code state}, {@code reason}, {@code message} and {@code cause} are always the
 * board's status of the check (after thresholds and dependency causes), in results as in the
 * snapshot; what the probe itself said is {@code ok} and {@code probeReason}.
 */
public final class EventJson {
  private EventJson() {}

  /**
   * {@code {check, type, ok, state, latencyMs, reason, message, cause, probeReason, at, seq}}: the
   * probe's own outcome ({@code ok}, {@code probeReason}, {@code latencyMs}) and the check's status
   * right after it ({@code state}, {@code reason}, {@code message}, {@code cause}).
   */
  public static JsonObject result(CheckResult r, CheckStatus status, long seq) {
    JsonObject event = new JsonObject()
        .put("check", r.check())
        .put("type", r.type())
        .put("ok", r.ok())
        .put("state", status.displayState().name())
        .put("latencyMs", round(r.latencyMs()))
        .put("reason", label(status.reason()))
        .put("message", status.message())
        .put("cause", status.cause())
        .put("probeReason", label(r.reason()))
        .put("at", r.at().toString())
        .put("seq", seq);
    return status.maintenance() ? event.put("maintenance", true) : event;
  }

  /**
   * A raw result for the other members' boards: {@code {member, seq, check, type, ok, reason,
   * message, data, latencyNanos, at}}, {@code seq} the last its owner's board gave for it. The
   * monotonic time stays behind: it means nothing in another JVM.
   */
  public static JsonObject replica(CheckResult r, String member, long seq) {
    return new JsonObject()
        .put("member", member)
        .put("seq", seq)
        .put("check", r.check())
        .put("type", r.type())
        .put("ok", r.ok())
        .put("reason", label(r.reason()))
        .put("message", r.message())
        .put("data", new JsonObject(r.data()))
        .put("latencyNanos", r.latency().toNanos())
        // Nanoseconds since the epoch, not ISO-8601 as in events: formatting and parsing the text was
        // a tenth of what a replica cost its sender and receivers.
        .put("atEpochNanos", epochNanos(r.at()));
  }

  private static long epochNanos(Instant at) {
    return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000_000L), at.getNano());
  }

  /**
   * The result a {@link #replica} carries, received at {@code receivedNanos} on this JVM's monotonic
   * clock and {@code receivedAt} on its wall clock. Its age counts from its owner's {@code at}, not
   * from its arrival: a member thawed after a freeze reads replicas that waited in its socket buffers
   * for as long as it was frozen, and must not take them for fresh. That needs the members' wall
   * clocks in step (NTP), as Hazelcast's own heartbeats do; a replica from a clock ahead of ours
   * counts as just made.
   */
  public static CheckResult fromReplica(JsonObject j, long receivedNanos, Instant receivedAt) {
    JsonObject data = j.getJsonObject("data");
    long epochNanos = j.getLong("atEpochNanos");
    Instant at = Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
    long age = Math.max(0, Duration.between(at, receivedAt).toNanos());
    return new CheckResult(j.getString("check"), j.getString("type"), j.getBoolean("ok"),
        Reason.fromLabel(j.getString("reason")), j.getString("message"), data == null ? null : data.getMap(),
        Duration.ofNanos(j.getLong("latencyNanos")), at, receivedNanos - age);
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
   * {@code state}, {@code seq}, {@code started}, {@code ready}. MicroProfile knows only UP and DOWN:
   * DEGRADED is UP there and UNKNOWN is DOWN, and the full state is in {@code state} (overall) and
   * {@code data.state} (each check). With {@code details} false, only names and statuses.
   */
  public static JsonObject snapshot(Snapshot s, boolean details) {
    JsonArray checks = new JsonArray();
    for (CheckStatus c : s.checks()) {
      JsonObject check = new JsonObject().put("name", c.name()).put("status", microProfile(c.up()));
      if (details) {
        check.put("data", data(c));
      }
      checks.add(check);
    }
    return new JsonObject()
        .put("status", microProfile(s.overall().healthy()))
        .put("state", s.overall().name())
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
        .put("state", c.displayState().name())
        .put("latencyMs", c.latencyMs() == null ? null : round(c.latencyMs()))
        .put("reason", label(c.reason()))
        .put("message", c.message())
        .put("cause", c.cause())
        .put("probeReason", label(c.probeReason()))
        .put("since", text(c.since()))
        .put("lastSuccess", text(c.lastSuccess()))
        .put("lastResult", text(c.lastResultAt()))
        .put("consecutiveFailures", c.consecutiveFailures());
    if (c.maintenance()) {
      d.put("maintenance", true);
    }
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

  /** MicroProfile Health's two statuses. */
  private static String microProfile(boolean up) {
    return up ? "UP" : "DOWN";
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

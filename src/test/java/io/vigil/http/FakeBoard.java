package io.vigil.http;

import io.vigil.metrics.CheckFamilies;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vigil.bus.Addresses;
import io.vigil.engine.MonitorView;
import io.vigil.maintenance.Maintenance;
import io.vigil.model.CheckState;
import io.vigil.model.CheckStatus;
import io.vigil.model.OverallState;
import io.vigil.model.Reason;
import io.vigil.model.Snapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A stand-in for the board behind a {@link MonitorView}: it replaces its snapshot and then publishes
 * the event of that change, in that order, as the real board does; the test decides when and how
 * fast. {@code checks} checks, all UP unless {@link #fail} says otherwise.
 */
final class FakeBoard implements MonitorView {
  private final List<String> names = new ArrayList<>();
  private final Map<String, Integer> positions = new HashMap<>();
  private final Map<String, String> failing = new HashMap<>();
  private volatile Snapshot snapshot;
  private volatile boolean live = true;
  private long seq;
  private volatile long changes;
  private final Maintenance maintenance = Maintenance.none();

  FakeBoard(int checks) {
    for (int i = 0; i < checks; i++) {
      names.add("check-" + i);
      positions.put("check-" + i, i);
    }
    snapshot = build(0);
  }

  @Override
  public Maintenance maintenance() {
    return maintenance;
  }

  @Override
  public Snapshot snapshot() {
    return snapshot;
  }

  @Override
  public boolean live() {
    return live;
  }

  @Override
  public boolean ready() {
    return snapshot.ready();
  }

  @Override
  public boolean started() {
    return snapshot.started();
  }

  @Override
  public long changes() {
    return changes;
  }

  @Override
  public CheckFamilies checkFamilies() {
    return CheckFamilies.NONE;
  }

  @Override
  public Predicate<CheckStatus> readinessGroup() {
    return CheckStatus::critical;
  }

  /** Marks a check failing with {@code message} from the next step on. */
  synchronized void fail(String check, String message) {
    failing.put(check, message);
  }

  /** The newest seq. */
  synchronized long seq() {
    return seq;
  }

  /** One result of {@code check}: the snapshot first, then {@code vigil.check.result}; returns its seq. */
  synchronized long result(Vertx vertx, String check) {
    long s = ++seq;
    snapshot = build(s);
    String message = failing.get(check);
    vertx.eventBus().publish(Addresses.RESULT, new JsonObject().put("check", check).put("type", "custom")
        .put("ok", message == null).put("state", message == null ? "UP" : "DOWN").put("latencyMs", 1.5)
        .put("reason", message == null ? null : Reason.CONNECTION_REFUSED.label()).put("message", message)
        .put("cause", null).put("at", Instant.now().toString()).put("seq", s));
    return s;
  }

  /** One transition of {@code check}: the snapshot first, then {@code vigil.status.changed}. */
  synchronized long transition(Vertx vertx, String check) {
    long s = ++seq;
    snapshot = build(s);
    changes++;
    vertx.eventBus().publish(Addresses.CHANGED, new JsonObject().put("check", check).put("from", "UP").put("to", "DOWN")
        .put("reason", Reason.TIMEOUT.label()).put("cause", null).put("at", Instant.now().toString()).put("seq", s));
    return s;
  }

  private Snapshot build(long s) {
    List<CheckStatus> checks = new ArrayList<>();
    for (String n : names) {
      String message = failing.get(n);
      Instant now = Instant.now();
      checks.add(new CheckStatus(n, "custom", true, message == null ? CheckState.UP : CheckState.DOWN,
          message == null ? null : Reason.CONNECTION_REFUSED, message, null, 1.5, now, now, now,
          message == null ? 0 : 3, message == null ? 3 : 0, List.of(), Map.of()));
    }
    boolean allUp = failing.isEmpty();
    return new Snapshot(s, Instant.now(), allUp ? OverallState.UP : OverallState.DOWN, true, false, allUp, checks, positions);
  }
}

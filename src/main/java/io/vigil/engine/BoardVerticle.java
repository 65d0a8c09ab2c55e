package io.vigil.engine;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vigil.bus.Addresses;
import io.vigil.bus.EventJson;
import io.vigil.cluster.Membership;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.metrics.CheckMetrics;
import io.vigil.maintenance.Maintenance;
import io.vigil.model.CheckResult;
import io.vigil.model.CheckStatus;
import io.vigil.model.CheckSpec;
import io.vigil.model.CheckState;
import io.vigil.model.Clock;
import io.vigil.model.Phase;
import io.vigil.model.Transition;
import io.vigil.status.StatusBoard;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the {@link StatusBoard} on this verticle's context (the board is single-threaded by design),
 * publishes every result and transition on the event bus, answers {@code vigil.status}, expires
 * stale results, and beats a heart that liveness reads. Every output of a result (event, metrics)
 * is written from the board's status after that result, so all of them tell the same state, reason
 * and cause.
 *
 * <p>Clustered, every member's board records every result: its own checks' from its probes, the
 * others' from {@link Addresses#REPLICA}. So each member holds the whole view, and the owner that
 * takes a check over continues its thresholds and counters. Only the owner of a check publishes its
 * results and announces its transitions, and counts its probes in metrics; the overall state is
 * announced by the leader. Every member still applies every transition to its own view.
 */
public final class BoardVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger("vigil.status");
  private static final long TICK_MS = 250;

  private final StatusBoard board;
  private final CheckMetrics metrics;
  private final Clock clock;
  private final Membership membership;
  private final Maintenance maintenance;
  private MessageConsumer<Object> statusConsumer;
  private MessageConsumer<Buffer> replicaConsumer;
  /** Clustered: this member's results, batched for the others' boards. */
  private Replicas replicas;
  private MessageConsumer<JsonObject> announcedConsumer;
  /**
   * Clustered: a local consumer of {@link Addresses#RESULT} that does nothing. Vert.x caches an
   * address's subscribers only when there are some: with none, each publish asked Hazelcast for them
   * again (a map lookup on a worker thread and a partition operation on another member, for every
   * probe when no other service subscribes). This member's own consumer keeps the list non-empty.
   */
  private MessageConsumer<Object> resultAnchor;
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  /**
   * Clustered: each check's state as last announced on the bus, by any member. A member announces
   * only what changes that view: after a handover or a thaw its own board may have seen a state the
   * cluster never did (UNKNOWN while it was frozen), and subscribers must not hear of it.
   */
  private final Map<String, String> announced = new HashMap<>();
  /**
   * The tick runs every 250 ms; a second without one means the board stalled (a frozen process, a
   * stuck loop): results may be past max-age unexpired, and, clustered, what it then finds stale is
   * its own view only.
   */
  private static final long BEHIND_NANOS = TimeUnit.SECONDS.toNanos(1);
  private long ticker = -1;
  private volatile long lastTickNanos;
  private volatile long changes;
  private boolean readyAnnounced;

  /** {@code clock} is the board's: the heartbeat is measured on its monotonic time. */
  public BoardVerticle(StatusBoard board, CheckMetrics metrics, Clock clock) {
    this(board, metrics, clock, Membership.SINGLE);
  }

  /** As above, in a cluster of Vigils whose {@code membership} says who announces what. */
  public BoardVerticle(StatusBoard board, CheckMetrics metrics, Clock clock, Membership membership) {
    this(board, metrics, clock, membership, Maintenance.none());
  }

  /** As above; {@code maintenance} says which checks are in maintenance, applied on every tick. */
  public BoardVerticle(StatusBoard board, CheckMetrics metrics, Clock clock, Membership membership,
      Maintenance maintenance) {
    this.maintenance = maintenance;
    this.membership = membership;
    this.board = board;
    this.metrics = metrics;
    this.clock = clock;
    this.lastTickNanos = clock.nanos();
  }

  @Override
  public Future<?> start() {
    metrics.update(board.snapshot());
    statusConsumer = vertx.eventBus().consumer(Addresses.STATUS,
        msg -> msg.reply(EventJson.snapshot(board.snapshot(), true)));
    ticker = vertx.setPeriodic(TICK_MS, id -> tick());
    if (!membership.clustered()) {
      return statusConsumer.completion();
    }
    announcedConsumer = vertx.eventBus().consumer(Addresses.CHANGED,
        m -> announced.put(m.body().getString("check"), m.body().getString("to")));
    resultAnchor = vertx.eventBus().localConsumer(Addresses.RESULT, m -> { });
    replicas = new Replicas(vertx, membership::self);
    replicaConsumer = vertx.eventBus().consumer(Addresses.REPLICA, m -> {
      if (!membership.self().equals(m.headers().get(Replicas.MEMBER))) {
        JsonArray results = m.body().toJsonArray();
        List<CheckResult> batch = new ArrayList<>(results.size());
        long nanos = clock.nanos();
        Instant wall = clock.wall();
        for (int i = 0; i < results.size(); i++) {
          JsonObject replica = results.getJsonObject(i);
          board.witness(replica.getLong("seq", 0L));
          batch.add(EventJson.fromReplica(replica, nanos, wall));
        }
        // One snapshot for the batch, not one per result; each result's outputs from its own status.
        List<StatusBoard.Recorded> recorded = board.recordAll(batch);
        JsonArray view = new JsonArray(new ArrayList<>(results.size()));
        for (int i = 0; i < batch.size(); i++) {
          JsonObject event = outputs(batch.get(i), recorded.get(i), false);
          if (event != null) {
            view.add(event);
          }
        }
        // One local message per batch, as it came: the member's /events hub takes the others' results
        // from here. Local only: it stays in this member and asks Hazelcast for nothing.
        if (!view.isEmpty()) {
          vertx.eventBus().publish(Addresses.VIEW, view, LOCAL);
        }
      }
    });
    return Future.all(List.of(statusConsumer.completion(), replicaConsumer.completion(), announcedConsumer.completion(),
        resultAnchor.completion()));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(ticker);
    if (replicas != null) {
      replicas.flush();
    }
    return replicaConsumer == null ? statusConsumer.unregister()
        : Future.all(List.of(statusConsumer.unregister(), replicaConsumer.unregister(), announcedConsumer.unregister(),
            resultAnchor.unregister()));
  }

  /** Hands a result to the board; safe from any thread. */
  public void submit(CheckResult r) {
    context.runOnContext(v -> handle(r, true));
  }

  /** Adds a check to the board on its own context, and announces the transitions that causes. */
  public Future<Void> add(CheckSpec spec) {
    return onBoard(() -> {
      List<Transition> transitions = board.add(spec);
      metrics.update(board.snapshot());
      transitions.forEach(t -> transition(t, false));
      return null;
    });
  }

  /** Marks the monitor as draining; completes once readiness reads false. */
  public Future<Void> drain() {
    return onBoard(() -> {
      board.drain();
      metrics.update(board.snapshot());
      return null;
    });
  }

  /**
   * Completes once the board's staleness tick is not overdue: at once normally; after a stall, once
   * the board has run it (one tick for all the requests that waited, not one each).
   */
  public Future<Void> caughtUp() {
    if (!behind()) {
      return Future.succeededFuture();
    }
    return onBoard(() -> {
      if (behind()) {
        tick();
      }
      return null;
    });
  }

  private boolean behind() {
    return sinceLastTickNanos() >= BEHIND_NANOS;
  }

  /** How many transitions were announced; each one after the metrics were updated for it. */
  public long changes() {
    return changes;
  }

  /** Nanoseconds since the board's context last ran its ticker: large means its event loop is stuck. */
  public long sinceLastTickNanos() {
    return clock.nanos() - lastTickNanos;
  }

  private <T> Future<T> onBoard(Supplier<T> action) {
    Promise<T> p = Promise.promise();
    context.runOnContext(v -> {
      try {
        p.complete(action.get());
      } catch (RuntimeException e) {
        p.fail(e);
      }
    });
    return p.future();
  }

  private void tick() {
    long now = clock.nanos();
    // Clustered, a stall this long means this member was out (frozen): the others held the checks
    // meanwhile, so what went stale here is its own view only, applied but not announced.
    boolean stalled = membership.clustered() && now - lastTickNanos >= BEHIND_NANOS;
    List<Transition> transitions = board.expire();
    // Windows open and close with the clock, silences with the admin API: at most a tick late.
    if (board.maintenance(maintenance.active(() -> board.snapshot().checks().stream().map(CheckStatus::name).iterator(),
        clock.wall()))) {
      metrics.update(board.snapshot());
    }
    // Only now: a probe on another event loop that sees the tick done must also see its expiries
    // (ClusterFreezeIT: a thawed member's first readiness answer was 200 on a stale view).
    lastTickNanos = now;
    if (!transitions.isEmpty()) {
      metrics.update(board.snapshot());
      tell(transitions, !stalled, false);
    }
  }

  /**
   * {@code probed}: this member's own probe, not a replica of another member's. Returns the result's
   * event (published here for a probe; a replica's goes to the view with its batch), or null when the
   * board did not record it.
   */
  private JsonObject handle(CheckResult r, boolean probed) {
    return outputs(r, board.record(r), probed);
  }

  /** What one recorded result makes this member say: metrics, its event, transitions, READY once. */
  private JsonObject outputs(CheckResult r, StatusBoard.Recorded rec, boolean probed) {
    if (rec.status() == null) {
      return null; // a check removed while its last probe was in flight, or a result older than its latest
    }
    EventBus bus = vertx.eventBus();
    if (probed) {
      metrics.record(r, rec.status()); // each probe counted once in the cluster: by the member that ran it
      if (membership.clustered()) {
        long last = rec.transitions().stream().mapToLong(Transition::seq).max().orElse(rec.seq());
        replicas.add(EventJson.replica(r, membership.self(), last));
      }
    }
    metrics.update(board.snapshot());
    JsonObject event = EventJson.result(r, rec.status(), rec.seq());
    if (probed) {
      bus.publish(Addresses.RESULT, event);
    }
    // A replica over a second old on arrival waited out a stall of this member (a freeze, a cut): the
    // others had it on time and told what it changed, so what it changes here is applied, not announced
    // (ClusterFreezeIT: a thawed leader announced the overall state UNKNOWN from such a replica).
    boolean late = !probed && clock.nanos() - r.atNanos() >= BEHIND_NANOS;
    tell(rec.transitions(), !late, probed);
    if (!readyAnnounced && board.snapshot().started()) {
      readyAnnounced = true; // every check has reported: the startup probe passes from now on
      bus.publish(Addresses.LIFECYCLE, EventJson.lifecycle(Phase.READY, clock.wall()));
      LOG.info("lifecycle phase=READY checks=" + board.snapshot().checks().size());
    }
    return event;
  }

  /** {@code news}: false for what only this member's own lag made it see (applied, counted, never announced). */
  private void tell(List<Transition> transitions, boolean news, boolean probed) {
    for (Transition t : transitions) {
      if (news) {
        transition(t, probed);
      } else {
        changes++;
      }
    }
  }

  /**
   * A check's transition is announced by the member whose probe caused it, or, when a tick or a
   * change of checks caused it, by the check's owner; the overall one by the leader. The others
   * only count it as a change, so their metrics are re-rendered.
   */
  private void transition(Transition t, boolean probed) {
    boolean mine = t.check().equals(Transition.OVERALL) ? membership.leads() : probed || membership.owns(t.check());
    String known = membership.clustered() ? announced.get(t.check()) : null;
    if (!mine || t.to().equals(known)) {
      changes++; // not this member's to tell, or the cluster was told already
    } else if (known != null && !known.equals(t.from())) {
      announce(new Transition(t.check(), known, t.to(), t.reason(), t.cause(), t.at(), t.seq())); // from what subscribers know
    } else {
      announce(t);
    }
  }

  private void announce(Transition t) {
    if (membership.clustered()) {
      announced.put(t.check(), t.to());
    }
    metrics.record(t);
    vertx.eventBus().publish(Addresses.CHANGED, EventJson.transition(t));
    boolean bad = t.to().equals(CheckState.DOWN.name());
    LOG.log(bad ? Level.WARNING : Level.INFO, () -> "transition check=" + t.check() + " from=" + t.from()
        + " to=" + t.to() + (t.reason() == null ? "" : " reason=" + t.reason().label())
        + (t.cause() == null ? "" : " cause=" + t.cause()) + " seq=" + t.seq());
    changes++; // only the board's context writes it
  }
}

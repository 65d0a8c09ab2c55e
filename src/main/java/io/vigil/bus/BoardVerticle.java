package io.vigil.bus;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vigil.metrics.CheckMetrics;
import io.vigil.status.CheckResult;
import io.vigil.status.CheckSpec;
import io.vigil.status.StatusBoard;
import io.vigil.status.Transition;
import java.time.Instant;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the {@link StatusBoard} on this verticle's context (the board is single-threaded by design),
 * publishes every result and transition on the event bus, answers {@code vigil.status}, expires
 * stale results, and beats a heart that liveness reads.
 */
public final class BoardVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger("vigil.status");
  private static final long TICK_MS = 250;

  private final StatusBoard board;
  private final CheckMetrics metrics;
  private MessageConsumer<Object> statusConsumer;
  private long ticker = -1;
  private volatile long lastTickNanos = System.nanoTime();
  private boolean readyAnnounced;

  public BoardVerticle(StatusBoard board, CheckMetrics metrics) {
    this.board = board;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    metrics.update(board.snapshot());
    statusConsumer = vertx.eventBus().consumer(Addresses.STATUS,
        msg -> msg.reply(EventJson.snapshot(board.snapshot(), true)));
    ticker = vertx.setPeriodic(TICK_MS, id -> tick());
    return statusConsumer.completion();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(ticker);
    return statusConsumer.unregister();
  }

  /** Hands a result to the board; safe from any thread. */
  public void submit(CheckResult r) {
    context.runOnContext(v -> handle(r));
  }

  /** Adds a check to the board on its own context. */
  public Future<Void> add(CheckSpec spec) {
    return onBoard(() -> {
      board.add(spec, Instant.now());
      metrics.update(board.snapshot());
      return null;
    });
  }

  /** Marks the monitor as draining; completes once readiness reads false. */
  public Future<Void> drain() {
    return onBoard(() -> {
      board.drain(Instant.now());
      metrics.update(board.snapshot());
      return null;
    });
  }

  /** Nanoseconds since the board's context last ran its ticker: large means its event loop is stuck. */
  public long sinceLastTickNanos() {
    return System.nanoTime() - lastTickNanos;
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
    lastTickNanos = System.nanoTime();
    var transitions = board.expire(Instant.now());
    if (!transitions.isEmpty()) {
      metrics.update(board.snapshot());
      transitions.forEach(this::announce);
    }
  }

  private void handle(CheckResult r) {
    StatusBoard.Recorded rec = board.record(r);
    if (rec.status() == null) {
      return; // a check removed while its last probe was in flight
    }
    metrics.record(r);
    metrics.update(board.snapshot());
    EventBus bus = vertx.eventBus();
    bus.publish(Addresses.RESULT, EventJson.result(r, rec.status(), rec.seq()));
    rec.transitions().forEach(this::announce);
    if (!readyAnnounced && board.snapshot().started()) {
      readyAnnounced = true; // every check has reported: the startup probe passes from now on
      bus.publish(Addresses.LIFECYCLE, EventJson.lifecycle(Phase.READY, r.at()));
      LOG.info("lifecycle phase=READY checks=" + board.snapshot().checks().size());
    }
  }

  private void announce(Transition t) {
    metrics.record(t);
    vertx.eventBus().publish(Addresses.CHANGED, EventJson.transition(t));
    boolean bad = t.to().equals("DOWN");
    LOG.log(bad ? Level.WARNING : Level.INFO, () -> "transition check=" + t.check() + " from=" + t.from()
        + " to=" + t.to() + (t.reason() == null ? "" : " reason=" + t.reason().label())
        + (t.cause() == null ? "" : " cause=" + t.cause()) + " seq=" + t.seq());
  }
}

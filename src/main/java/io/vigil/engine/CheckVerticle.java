package io.vigil.engine;

import io.vigil.check.Check;
import io.vigil.check.CheckRunner;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vigil.model.CheckOptions;
import io.vigil.config.Secrets;
import io.vigil.model.CheckResult;
import io.vigil.model.Clock;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * Runs one check on its own schedule, one probe in flight at most. The next round is planned when
 * the previous one reported (at the latest at its timeout), so a slow target never delays another
 * check; a little jitter keeps many checks from firing in the same millisecond. A probe that timed
 * out is aborted by the {@link CheckRunner}; should it still not have ended when the next round is
 * due, that round starts nothing and reports {@code timeout}, so probes never pile up on a target.
 */
public final class CheckVerticle extends VerticleBase {
  private final String name;
  private final String type;
  private final CheckOptions options;
  private final Supplier<Check> checkFactory;
  private final Secrets secrets;
  private final Consumer<CheckResult> sink;
  private final Clock clock;
  private final BooleanSupplier owned;
  private final LongConsumer lateness;
  /** System.nanoTime() at which the planned timer is due. */
  private long dueNanos;
  private Check check;
  private CheckRunner runner;
  private long timer = -1;
  private volatile boolean stopped;
  /** On this verticle's context: a probe is running; the last round was this member's to probe. */
  private boolean inFlight;
  private boolean probedLastRound;

  /** {@code checkFactory} runs in {@link #start()}, so clients are bound to this verticle's event loop. */
  public CheckVerticle(String name, String type, CheckOptions options, Supplier<Check> checkFactory,
      Secrets secrets, Consumer<CheckResult> sink) {
    this(name, type, options, checkFactory, secrets, sink, Clock.SYSTEM);
  }

  /** As above, with the clock latency and result times are taken from. */
  public CheckVerticle(String name, String type, CheckOptions options, Supplier<Check> checkFactory,
      Secrets secrets, Consumer<CheckResult> sink, Clock clock) {
    this(name, type, options, checkFactory, secrets, sink, clock, () -> true);
  }

  /**
   * As above, in a cluster: a round probes only while {@code owned} says this member owns the check;
   * otherwise it only plans the next round; {@link #ownershipChanged()} starts a check taken over at once.
   */
  public CheckVerticle(String name, String type, CheckOptions options, Supplier<Check> checkFactory,
      Secrets secrets, Consumer<CheckResult> sink, Clock clock, BooleanSupplier owned) {
    this(name, type, options, checkFactory, secrets, sink, clock, owned, late -> { });
  }

  /**
   * As above; {@code lateness} hears how many nanoseconds after its planned time each round started
   * (one that probes, and, clustered, one that only finds the check is not this member's).
   */
  public CheckVerticle(String name, String type, CheckOptions options, Supplier<Check> checkFactory,
      Secrets secrets, Consumer<CheckResult> sink, Clock clock, BooleanSupplier owned, LongConsumer lateness) {
    this.owned = owned;
    this.name = name;
    this.type = type;
    this.options = options;
    this.checkFactory = checkFactory;
    this.secrets = secrets;
    this.sink = sink;
    this.clock = clock;
    this.lateness = lateness;
  }

  @Override
  public Future<?> start() {
    check = checkFactory.get();
    runner = new CheckRunner(vertx, name, type, check, options.timeout(), secrets, clock);
    // First probe almost at once: startup waits for every check's first result.
    schedule(1 + ThreadLocalRandom.current().nextLong(Math.max(1, Math.min(100, options.interval().toMillis() / 10))));
    return Future.succeededFuture();
  }

  private void schedule(long delayMs) {
    if (!stopped) {
      long delay = Math.max(1, delayMs);
      dueNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay);
      timer = vertx.setTimer(delay, id -> {
        lateness.accept(System.nanoTime() - dueNanos);
        probe();
      });
    }
  }

  /**
   * Clustered: the membership changed. A check this member has just taken over (a member left or
   * died) probes now rather than at the end of the round it was idling through.
   */
  public void ownershipChanged() {
    if (context == null) {
      return; // not started yet: its first round is moments away
    }
    context.runOnContext(v -> {
      if (!stopped && !inFlight && !probedLastRound && owned.getAsBoolean()) {
        vertx.cancelTimer(timer);
        probe();
      }
    });
  }

  private void probe() {
    probedLastRound = owned.getAsBoolean();
    if (!probedLastRound) {
      schedule(options.interval().toMillis() + jitter());
      return;
    }
    // Real time, not the injected clock: it plans a real timer.
    long started = System.nanoTime();
    inFlight = true;
    runner.run().onComplete(ar -> {
      inFlight = false;
      if (stopped) {
        return;
      }
      if (ar.succeeded()) {
        sink.accept(ar.result());
      }
      long elapsedMs = (System.nanoTime() - started) / 1_000_000;
      schedule(options.interval().toMillis() - elapsedMs + jitter());
    });
  }

  /** Up to ± {@link CheckOptions#maxJitter()}, the bound the max-age rule counts on. */
  private long jitter() {
    long bound = options.maxJitter().toMillis();
    return bound == 0 ? 0 : ThreadLocalRandom.current().nextLong(-bound, bound + 1);
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    return check == null ? Future.succeededFuture() : check.close();
  }
}

package io.vigil.check;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vigil.config.CheckOptions;
import io.vigil.config.Secrets;
import io.vigil.status.CheckResult;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs one check on its own schedule. The next probe is planned when the previous one ends, so a
 * slow target never piles probes up and never delays another check; a little jitter keeps many
 * checks from firing in the same millisecond.
 */
public final class CheckVerticle extends VerticleBase {
  private final String name;
  private final String type;
  private final CheckOptions options;
  private final Supplier<Check> checkFactory;
  private final Secrets secrets;
  private final Consumer<CheckResult> sink;
  private Check check;
  private CheckRunner runner;
  private long timer = -1;
  private volatile boolean stopped;

  /** {@code checkFactory} runs in {@link #start()}, so clients are bound to this verticle's event loop. */
  public CheckVerticle(String name, String type, CheckOptions options, Supplier<Check> checkFactory,
      Secrets secrets, Consumer<CheckResult> sink) {
    this.name = name;
    this.type = type;
    this.options = options;
    this.checkFactory = checkFactory;
    this.secrets = secrets;
    this.sink = sink;
  }

  @Override
  public Future<?> start() {
    check = checkFactory.get();
    runner = new CheckRunner(vertx, name, type, check, options.timeout(), secrets);
    // First probe almost at once: startup waits for every check's first result.
    schedule(1 + ThreadLocalRandom.current().nextLong(Math.max(1, Math.min(100, options.interval().toMillis() / 10))));
    return Future.succeededFuture();
  }

  private void schedule(long delayMs) {
    if (!stopped) {
      timer = vertx.setTimer(Math.max(1, delayMs), id -> probe());
    }
  }

  private void probe() {
    long started = System.nanoTime();
    runner.run().onComplete(ar -> {
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

  /** Up to ±5% of the interval, at most ±250 ms. */
  private long jitter() {
    long bound = Math.min(250, options.interval().toMillis() / 20);
    return bound == 0 ? 0 : ThreadLocalRandom.current().nextLong(-bound, bound + 1);
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    return check == null ? Future.succeededFuture() : check.close();
  }
}

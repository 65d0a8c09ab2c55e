package io.vigil.check;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vigil.config.Durations;
import io.vigil.config.Secrets;
import io.vigil.status.CheckResult;
import io.vigil.status.Reason;
import java.time.Duration;
import java.time.Instant;

/**
 * The one wrapper every check runs in: a wall-clock timeout whose timer is cancelled when the probe
 * ends, any exception or failed future turned into a DOWN result with a reason, latency measured,
 * and credentials scrubbed from the message. {@link #run()} never fails.
 */
public final class CheckRunner {
  private final Vertx vertx;
  private final String name;
  private final String type;
  private final Check check;
  private final Duration timeout;
  private final Secrets secrets;

  public CheckRunner(Vertx vertx, String name, String type, Check check, Duration timeout, Secrets secrets) {
    this.vertx = vertx;
    this.name = name;
    this.type = type;
    this.check = check;
    this.timeout = timeout;
    this.secrets = secrets;
  }

  /** Runs one probe; the future always succeeds, with an UP or DOWN result. */
  public Future<CheckResult> run() {
    long start = System.nanoTime();
    Promise<Observation> outcome = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> outcome.tryComplete(
        Observation.down(Reason.TIMEOUT, "no answer within " + Durations.format(timeout))));
    Future<Observation> probe;
    try {
      probe = check.probe();
      if (probe == null) {
        probe = Future.failedFuture(new IllegalStateException("check returned no future"));
      }
    } catch (RuntimeException e) {
      probe = Future.failedFuture(e);
    }
    probe.onComplete(ar -> {
      vertx.cancelTimer(timer);
      outcome.tryComplete(ar.succeeded() && ar.result() != null ? ar.result() : Failures.classify(
          ar.failed() ? ar.cause() : new IllegalStateException("check completed with no observation")));
    });
    return outcome.future().map(o -> new CheckResult(name, type, o.ok(), o.reason(), secrets.scrub(o.message()),
        o.data(), Duration.ofNanos(System.nanoTime() - start), Instant.now()));
  }
}

package io.vigil.check;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vigil.config.Secrets;
import io.vigil.status.CheckResult;
import io.vigil.status.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/** Interim wrapper: timeout and never-fails; replaced by the full runner from the checks branch. */
public final class CheckRunner {
  private final String name;
  private final String type;
  private final Check check;
  private final Duration timeout;
  private final Secrets secrets;

  public CheckRunner(Vertx vertx, String name, String type, Check check, Duration timeout, Secrets secrets) {
    this.name = name;
    this.type = type;
    this.check = check;
    this.timeout = timeout;
    this.secrets = secrets;
  }

  public Future<CheckResult> run() {
    long start = System.nanoTime();
    Future<Observation> f;
    try {
      f = check.probe().timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    return f.otherwise(e -> Observation.down(Reason.INTERNAL, String.valueOf(e.getMessage())))
        .map(o -> new CheckResult(name, type, o.ok(), o.reason(), secrets.scrub(o.message()), o.data(),
            Duration.ofNanos(System.nanoTime() - start), Instant.now()));
  }
}

package io.vigil.check;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vigil.config.Durations;
import io.vigil.config.Secrets;
import io.vigil.model.CheckResult;
import io.vigil.model.Clock;
import io.vigil.model.Observation;
import io.vigil.model.Reason;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one wrapper every check runs in: a timeout whose timer is cancelled when the probe ends, the
 * probe aborted ({@link Check#abort()}) when the timeout passes, one probe in flight at most, any
 * exception or failed future turned into a DOWN result with a reason, latency measured on the
 * monotonic clock, and credentials scrubbed from the message and the data. {@link #run()} never fails.
 */
public final class CheckRunner {
  private static final Logger LOG = Logger.getLogger("vigil.check");

  private final Vertx vertx;
  private final String name;
  private final String type;
  private final Check check;
  private final Duration timeout;
  private final Secrets secrets;
  private final Clock clock;
  /** The probe last started, until its own future completes (which may be long after its result). */
  private volatile Future<?> inFlight = Future.succeededFuture();
  private volatile long inFlightSince;

  public CheckRunner(Vertx vertx, String name, String type, Check check, Duration timeout, Secrets secrets) {
    this(vertx, name, type, check, timeout, secrets, Clock.SYSTEM);
  }

  public CheckRunner(Vertx vertx, String name, String type, Check check, Duration timeout, Secrets secrets, Clock clock) {
    this.vertx = vertx;
    this.name = name;
    this.type = type;
    this.check = check;
    this.timeout = timeout;
    this.secrets = secrets;
    this.clock = clock;
  }

  /** Whether the probe last started has not ended yet (its result may already have been reported). */
  public boolean busy() {
    return !inFlight.isComplete();
  }

  /**
   * Runs one probe; the future always succeeds, with an UP or DOWN result. When the previous probe
   * has not ended, none is started: the result is a {@code timeout} saying so.
   */
  public Future<CheckResult> run() {
    long start = clock.nanos();
    if (busy()) {
      long waitedMs = (start - inFlightSince) / 1_000_000;
      return Future.succeededFuture(result(Observation.down(Reason.TIMEOUT,
          "the previous probe has not ended after " + waitedMs + "ms; no new probe started"), inFlightSince, start));
    }
    Promise<Observation> outcome = Promise.promise();
    // Whoever comes first, the timer or the probe, decides; the timer aborts before it reports, so
    // the probe is being ended by the time anyone sees its result (and its failure cannot win).
    AtomicBoolean decided = new AtomicBoolean();
    long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> {
      if (decided.compareAndSet(false, true)) {
        abort();
        outcome.complete(Observation.down(Reason.TIMEOUT, "no answer within " + Durations.format(timeout)));
      }
    });
    Future<Observation> probe;
    try {
      probe = check.probe();
      if (probe == null) {
        probe = Future.failedFuture(new IllegalStateException("check returned no future"));
      }
    } catch (RuntimeException e) {
      probe = Future.failedFuture(e);
    }
    inFlight = probe;
    inFlightSince = start;
    probe.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (decided.compareAndSet(false, true)) {
        outcome.complete(ar.succeeded() && ar.result() != null ? ar.result() : Failures.classify(
            ar.failed() ? ar.cause() : new IllegalStateException("check completed with no observation")));
      }
    });
    return outcome.future().map(o -> result(o, start, clock.nanos()));
  }

  /** A misbehaving abort() must not break the runner: it is logged, and the timeout stands. */
  private void abort() {
    try {
      check.abort();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "check=" + name + " reason=timeout abort failed: " + secrets.scrub(Failures.message(e)));
    }
  }

  /** Latency from {@code start} to {@code end}: for a round that started nothing, how long the target has been silent. */
  private CheckResult result(Observation o, long start, long end) {
    return new CheckResult(name, type, o.ok(), o.reason(), secrets.scrub(o.message()), scrub(o.data()),
        Duration.ofNanos(end - start), clock.wall(), end);
  }

  /** The data with every string value scrubbed like the message (a target may echo a credential). */
  private Map<String, Object> scrub(Map<String, Object> data) {
    Map<String, Object> out = new LinkedHashMap<>();
    data.forEach((k, v) -> out.put(k, v instanceof String s ? secrets.scrub(s) : v));
    return out;
  }
}

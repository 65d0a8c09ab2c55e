package io.vigil.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How a check is run and judged, whatever its type: schedule, timeout, thresholds, criticality,
 * staleness and dependencies. {@code maxAge} null means 3 x interval.
 */
public record CheckOptions(
    Duration interval,
    Duration timeout,
    int failureThreshold,
    int successThreshold,
    boolean critical,
    Duration maxAge,
    List<String> dependsOn) {

  public static final CheckOptions DEFAULTS =
      new CheckOptions(Duration.ofSeconds(5), Duration.ofSeconds(2), 3, 1, true, null, List.of());

  public CheckOptions {
    dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
  }

  /** The age past which a result is stale and the check reads UNKNOWN. */
  public Duration effectiveMaxAge() {
    return maxAge != null ? maxAge : interval.multipliedBy(3);
  }

  /** The scheduler's largest jitter either way: 5% of the interval, at most 250 ms. */
  public Duration maxJitter() {
    return Duration.ofMillis(Math.min(250, interval.toMillis() / 20));
  }

  /**
   * The longest a healthy schedule leaves between two results: the next probe starts up to
   * interval + jitter after the previous one started, and may take up to its timeout. A max-age not
   * above this would make a healthy check read stale.
   */
  public Duration longestResultGap() {
    return interval.plus(timeout).plus(maxJitter());
  }

  /**
   * What stops these options from running a check, one {@code key: problem} each (keys as in the
   * config file); empty when they are sound. The same ranges the config file is held to.
   */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (interval == null || interval.isZero() || interval.isNegative()) {
      problems.add("interval: must be > 0 (was " + text(interval) + ")");
    }
    if (timeout == null || timeout.isZero() || timeout.isNegative()) {
      problems.add("timeout: must be > 0 (was " + text(timeout) + ")");
    }
    if (failureThreshold < 1) {
      problems.add("failure-threshold: must be >= 1 (was " + failureThreshold + ")");
    }
    if (successThreshold < 1) {
      problems.add("success-threshold: must be >= 1 (was " + successThreshold + ")");
    }
    if (problems.isEmpty() && timeout.compareTo(interval) > 0) {
      problems.add("timeout: must not exceed interval (" + text(interval) + "), or probes would overlap (was "
          + text(timeout) + ")");
    }
    if (problems.isEmpty() && maxAge != null && maxAge.compareTo(longestResultGap()) <= 0) {
      problems.add("max-age: must be longer than interval + timeout + jitter (" + text(interval) + " + " + text(timeout)
          + " + " + text(maxJitter()) + " = " + text(longestResultGap())
          + "), or a healthy check would read stale between two results (was " + text(maxAge) + ")");
    }
    return problems;
  }

  /** {@code 250ms}, {@code 5s}: the way durations are written in the config file. */
  static String text(Duration d) {
    if (d == null) {
      return "none";
    }
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }

  public CheckOptions withInterval(Duration d) {
    return new CheckOptions(d, timeout, failureThreshold, successThreshold, critical, maxAge, dependsOn);
  }

  public CheckOptions withTimeout(Duration d) {
    return new CheckOptions(interval, d, failureThreshold, successThreshold, critical, maxAge, dependsOn);
  }

  public CheckOptions withThresholds(int failures, int successes) {
    return new CheckOptions(interval, timeout, failures, successes, critical, maxAge, dependsOn);
  }

  public CheckOptions withCritical(boolean c) {
    return new CheckOptions(interval, timeout, failureThreshold, successThreshold, c, maxAge, dependsOn);
  }

  public CheckOptions withMaxAge(Duration d) {
    return new CheckOptions(interval, timeout, failureThreshold, successThreshold, critical, d, dependsOn);
  }

  public CheckOptions withDependsOn(List<String> deps) {
    return new CheckOptions(interval, timeout, failureThreshold, successThreshold, critical, maxAge, deps);
  }
}

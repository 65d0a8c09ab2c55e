package io.vigil.config;

import java.time.Duration;
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

  public CheckOptions withDependsOn(List<String> deps) {
    return new CheckOptions(interval, timeout, failureThreshold, successThreshold, critical, maxAge, deps);
  }
}

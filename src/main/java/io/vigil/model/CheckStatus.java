package io.vigil.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One check as the board sees it now: the one truth every output shows. {@code reason},
 * {@code message} and {@code cause} are the board's verdict on the latest failure while the check is
 * failing ({@code dependency} and the DOWN check at the root of the chain when a dependency is DOWN);
 * {@code probeReason} is what the latest probe itself said (null when it succeeded), kept apart so
 * that the probe's own view never replaces the verdict. {@code maintenance}: the check is inside a
 * maintenance window or a silence now (its state is still tracked; notifications are held back).
 */
public record CheckStatus(
    String name,
    String type,
    boolean critical,
    CheckState state,
    Reason reason,
    String message,
    String cause,
    Double latencyMs,
    Instant since,
    Instant lastSuccess,
    Instant lastResultAt,
    int consecutiveFailures,
    int consecutiveSuccesses,
    List<String> dependsOn,
    Map<String, Object> data,
    Reason probeReason,
    boolean maintenance) {

  /** A status outside maintenance. */
  public CheckStatus(String name, String type, boolean critical, CheckState state, Reason reason, String message,
      String cause, Double latencyMs, Instant since, Instant lastSuccess, Instant lastResultAt, int consecutiveFailures,
      int consecutiveSuccesses, List<String> dependsOn, Map<String, Object> data, Reason probeReason) {
    this(name, type, critical, state, reason, message, cause, latencyMs, since, lastSuccess, lastResultAt,
        consecutiveFailures, consecutiveSuccesses, dependsOn, data, probeReason, false);
  }

  /** A status without the probe's own reason (for views and tests written before it existed). */
  public CheckStatus(String name, String type, boolean critical, CheckState state, Reason reason, String message,
      String cause, Double latencyMs, Instant since, Instant lastSuccess, Instant lastResultAt, int consecutiveFailures,
      int consecutiveSuccesses, List<String> dependsOn, Map<String, Object> data) {
    this(name, type, critical, state, reason, message, cause, latencyMs, since, lastSuccess, lastResultAt,
        consecutiveFailures, consecutiveSuccesses, dependsOn, data, null);
  }

  /**
   * The state shown to people: DEGRADED when the check is still UP but its latest probes failed
   * (below the failure threshold), so a flapping target is visible before it flips.
   */
  public DisplayState displayState() {
    return switch (state) {
      case UP -> consecutiveFailures > 0 ? DisplayState.DEGRADED : DisplayState.UP;
      case DOWN -> DisplayState.DOWN;
      case UNKNOWN -> DisplayState.UNKNOWN;
    };
  }

  public boolean up() {
    return state == CheckState.UP;
  }
}

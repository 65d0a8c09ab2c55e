package io.vigil.status;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One check as the board sees it now. {@code reason}, {@code message} and {@code cause} describe the
 * latest failure while the check is failing; {@code cause} names the DOWN dependency at the root.
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
    Map<String, Object> data) {

  /**
   * The state shown to people: DEGRADED when the check is still UP but its latest probes failed
   * (below the failure threshold), so a flapping target is visible before it flips.
   */
  public String displayState() {
    return state == CheckState.UP && consecutiveFailures > 0 ? "DEGRADED" : state.name();
  }

  public boolean up() {
    return state == CheckState.UP;
  }
}

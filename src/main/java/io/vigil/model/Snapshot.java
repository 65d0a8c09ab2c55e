package io.vigil.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole picture at one moment, immutable: probes, {@code /health}, {@code vigil.status} and the
 * metrics all read this. {@code seq} is that of the last event it includes. {@code positions} maps a
 * check's name to its place in {@code checks}; the board shares one map across snapshots (it changes
 * only when a check is added), so a lookup by name costs O(1) without rebuilding an index per result.
 * The board's {@code checks} are a {@link SharedChunks.Version}, immutable already and not copied.
 */
public record Snapshot(
    long seq,
    Instant at,
    OverallState overall,
    boolean started,
    boolean draining,
    boolean ready,
    List<CheckStatus> checks,
    Map<String, Integer> positions) {

  public Snapshot {
    checks = SharedChunks.isVersion(checks) ? checks : List.copyOf(checks);
    positions = positions == null ? Map.of() : positions;
  }

  public Optional<CheckStatus> check(String name) {
    return Optional.ofNullable(status(name));
  }

  /**
   * The status of {@code name}, or null when this snapshot has no such check. With the board's
   * index a missing name costs O(1) too (the metrics ask for every registered check, some not yet
   * on the board); without one (a snapshot built by hand) the checks are searched.
   */
  public CheckStatus status(String name) {
    Integer at = positions.get(name);
    if (at != null && at < checks.size() && checks.get(at).name().equals(name)) {
      return checks.get(at);
    }
    if (!positions.isEmpty()) {
      return null;
    }
    for (CheckStatus c : checks) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    return null;
  }
}

package io.vigil.status;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The whole picture at one moment, immutable: probes, {@code /health}, {@code vigil.status} and the
 * metrics all read this. {@code seq} is that of the last event it includes.
 */
public record Snapshot(
    long seq,
    Instant at,
    OverallState overall,
    boolean started,
    boolean draining,
    boolean ready,
    List<CheckStatus> checks) {

  public Snapshot {
    checks = List.copyOf(checks);
  }

  public Optional<CheckStatus> check(String name) {
    return checks.stream().filter(c -> c.name().equals(name)).findFirst();
  }
}

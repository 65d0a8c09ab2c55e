package io.vigil.model;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * One raw probe outcome, before thresholds: what {@code vigil.check.result} carries. The message is
 * already scrubbed of credentials. {@code at} is the wall-clock time shown to people; {@code atNanos}
 * the monotonic time ({@link Clock#nanos()}) the board measures ages with.
 */
public record CheckResult(
    String check,
    String type,
    boolean ok,
    Reason reason,
    String message,
    Map<String, Object> data,
    Duration latency,
    Instant at,
    long atNanos) {

  public CheckResult {
    data = data == null ? Map.of() : Map.copyOf(data);
  }

  public double latencyMs() {
    return latency.toNanos() / 1_000_000.0;
  }
}

package io.vigil.metrics;

import io.vigil.model.CheckState;
import io.vigil.model.Reason;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The counters of one check, in one array: successes, failures, then one per reason and one per
 * state it can change to. Written by the board's thread, read by the renderer's.
 */
final class CheckSeries {
  private static final int SUCCESSES = 0;
  private static final int FAILURES = 1;
  private static final int BY_REASON = 2;
  private static final int BY_STATE = BY_REASON + Reason.values().length;

  final String check;
  final String type;
  final String critical;
  /** Null without a histogram of its own or of its type. */
  final LatencyCounts latency;
  private final AtomicLongArray counts = new AtomicLongArray(BY_STATE + CheckState.values().length);
  /** The end of its TLS certificate in Unix seconds, NaN until a probe saw one. */
  private volatile double certNotAfter = Double.NaN;

  CheckSeries(String check, String type, boolean critical, LatencyCounts latency) {
    this.check = check;
    this.type = type;
    this.critical = String.valueOf(critical);
    this.latency = latency;
  }

  void succeeded() {
    counts.incrementAndGet(SUCCESSES);
  }

  void failed(Reason shown) {
    counts.incrementAndGet(FAILURES);
    counts.incrementAndGet(BY_REASON + shown.ordinal());
  }

  void changedTo(CheckState state) {
    counts.incrementAndGet(BY_STATE + state.ordinal());
  }

  void certificate(double notAfter) {
    certNotAfter = notAfter;
  }

  long successes() {
    return counts.get(SUCCESSES);
  }

  long failures() {
    return counts.get(FAILURES);
  }

  long failures(Reason r) {
    return counts.get(BY_REASON + r.ordinal());
  }

  long transitions(CheckState to) {
    return counts.get(BY_STATE + to.ordinal());
  }

  double certNotAfter() {
    return certNotAfter;
  }
}

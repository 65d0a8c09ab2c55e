package io.vigil.faults;

import io.vigil.model.Reason;
import io.vigil.testsupport.FaultProxy;
import java.util.List;
import java.util.Map;

/**
 * What a check did while a fault was held: its results (their number, reasons and the longest gap
 * between two), what its target saw (connections accepted, most open at once), and every way it
 * strayed from the rule, interval by interval. Empty {@code violations}: the fault was told truly
 * for as long as it lasted.
 */
record Hold(int intervals, int results, Map<Reason, Integer> reasons, long maxGapMs,
    FaultProxy.Counts connections, List<String> violations) {

  /** Most connections a check may hold open to its target at once. */
  static final int MAX_OPEN = 2;

  String line() {
    return String.format("held %d intervals: %d results %s, max gap %d ms, %d connections accepted, at most %d open",
        intervals, results, reasons, maxGapMs, connections.accepted(), connections.peakOpen());
  }
}

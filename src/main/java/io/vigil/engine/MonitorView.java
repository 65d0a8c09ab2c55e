package io.vigil.engine;

import io.vertx.core.Future;
import io.vigil.maintenance.Maintenance;
import io.vigil.metrics.CheckFamilies;
import io.vigil.model.CheckStatus;
import io.vigil.model.Snapshot;
import java.util.function.Predicate;

/**
 * What the serving side may know of a running monitor: read-only, in memory, no I/O, no lock. The
 * HTTP handlers depend on this and nothing else of the engine, so they can be tested against a fake.
 */
public interface MonitorView {

  /** The latest immutable snapshot. */
  Snapshot snapshot();

  /** True while the monitor's own event loops answer; never tied to a dependency. */
  boolean live();

  /** True when started, not draining, and every check of the readiness group is UP. */
  boolean ready();

  /** True once every check has reported at least once. */
  boolean started();

  /**
   * How many state changes (of a check or of the overall state) were announced so far. Each is in
   * the metrics before it is counted, so a body rendered after reading a count shows that change.
   */
  long changes();

  /** The series of the checks for {@code /metrics}, written as they are read. */
  CheckFamilies checkFamilies();

  /** Which checks readiness follows: the critical ones, or {@code probes.readiness.checks}. */
  Predicate<CheckStatus> readinessGroup();

  /**
   * Completes once {@link #snapshot()} has no result past its max-age: at once, unless the board has
   * not run its staleness tick for a while (the process was frozen, or its loop stalled); then once
   * it has. A stale result is never served as fresh. May complete on another thread.
   */
  default Future<Void> caughtUp() {
    return Future.succeededFuture();
  }

  /**
   * The maintenance windows and the silences the admin API sets. A view that does not say has none,
   * and keeps no silence (each call answers a new, empty one).
   */
  default Maintenance maintenance() {
    return Maintenance.none();
  }
}

package io.vigil.check;

import io.vertx.core.Future;

/**
 * One kind of probe against one target. {@link #probe()} must not block; it may fail or hang, as
 * {@link CheckRunner} bounds it with the check's timeout and turns any failure into an
 * {@link Observation} with a reason.
 */
public interface Check {

  /** Runs one probe and reports what it saw. */
  Future<Observation> probe();

  /** Releases clients, pools and connections. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }
}

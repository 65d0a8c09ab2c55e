package io.vigil.shutdown;

import io.vertx.core.Future;
import io.vigil.model.Phase;

/** What the drain sequence needs of a monitor: start draining, stop the checks, announce a phase. */
public interface Drainable {

  /** Readiness turns false and DRAINING is published before the future completes. */
  Future<Void> drain();

  /** Undeploys the checks and the board. */
  Future<Void> stop();

  /** Publishes a lifecycle phase; completes once consumers of this JVM have been handed it. */
  Future<Void> publish(Phase phase);
}

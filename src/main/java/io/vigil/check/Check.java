package io.vigil.check;

import io.vigil.model.Observation;

import io.vertx.core.Future;

/**
 * One kind of probe against one target. {@link #probe()} must not block; it may fail or hang, as
 * {@link CheckRunner} bounds it with the check's timeout and turns any failure into an
 * {@link Observation} with a reason.
 *
 * <p>A probe that times out must really be over, or a target that hangs for minutes fills the
 * check's pools with abandoned work. So when the timeout passes, {@link CheckRunner} reports
 * {@code timeout} and calls {@link #abort()} once, on the context that started the probe. An
 * implementation then ends the work for real: resets its request, closes the connection or socket
 * the probe used (or the client that holds it). {@code abort()} must not block, must be harmless
 * when nothing is in flight, and should make the probe's future complete soon (failed is fine: its
 * outcome is ignored by then).
 *
 * <p>One probe per check is in flight at most: until the future {@code probe()} returned has
 * completed, no next probe is started, and each round that falls due meanwhile is reported as
 * {@code timeout} ("the previous probe has not ended"). A check written in code that does not
 * override {@code abort()} keeps working unchanged; it is still bounded by the timeout, but whatever
 * its future still holds stays held until the future completes.
 */
public interface Check {

  /** Runs one probe and reports what it saw. */
  Future<Observation> probe();

  /** Ends the probe in flight, if any: called once per probe that timed out. The default does nothing. */
  default void abort() {}

  /** Releases clients, pools and connections. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }
}

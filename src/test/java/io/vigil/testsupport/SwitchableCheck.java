package io.vigil.testsupport;

import io.vertx.core.Future;
import io.vigil.check.Check;
import io.vigil.model.Observation;
import io.vigil.model.Reason;
import java.util.concurrent.atomic.AtomicInteger;

/** A check written in code whose next observation a test sets: the embedding API's custom check. */
public final class SwitchableCheck implements Check {
  private volatile Observation next = Observation.up();
  private final AtomicInteger probes = new AtomicInteger();

  public void up() {
    next = Observation.up();
  }

  public void fail(Reason reason, String message) {
    next = Observation.down(reason, message);
  }

  public int probes() {
    return probes.get();
  }

  @Override
  public Future<Observation> probe() {
    probes.incrementAndGet();
    return Future.succeededFuture(next);
  }
}

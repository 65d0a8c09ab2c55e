package io.vigil.check;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vigil.config.CheckConfig;
import io.vigil.status.Reason;

/** Placeholder until the real Http check lands. */
public final class HttpCheck implements Check {
  public HttpCheck(Vertx vertx, CheckConfig config) {}

  @Override
  public Future<Observation> probe() {
    return Future.succeededFuture(Observation.down(Reason.INTERNAL, "not built yet"));
  }
}

package io.vigil.bench;

import io.vertx.core.Deployable;
import io.vertx.core.Vertx;

/** Entry point shared by the bench programs: deploy one verticle, or exit 1 saying why. */
final class BenchMain {
  private BenchMain() {}

  static void deploy(Deployable verticle) {
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(verticle).onFailure(e -> {
      // A bench program is driven by a script that reads stderr and the exit status.
      System.err.println(verticle.getClass().getSimpleName() + " failed to start: " + e);
      Runtime.getRuntime().halt(1);
    });
  }
}

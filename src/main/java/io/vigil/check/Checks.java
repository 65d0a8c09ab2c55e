package io.vigil.check;

import io.vertx.core.Vertx;
import io.vigil.config.CheckConfig;
import io.vigil.config.CheckType;

/** Builds the probe of a configured check; the switch is exhaustive, so every type has one. */
public final class Checks {
  private Checks() {}

  public static Check create(Vertx vertx, CheckConfig config) {
    CheckType type = CheckType.of(config.type())
        .orElseThrow(() -> new IllegalArgumentException("unknown check type \"" + config.type() + "\""));
    return switch (type) {
      case HTTP -> new HttpCheck(vertx, config);
      case TCP -> new TcpCheck(vertx, config);
      case REDIS -> new RedisCheck(vertx, config);
      case POSTGRES -> new PostgresCheck(vertx, config);
    };
  }
}

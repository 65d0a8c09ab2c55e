package io.vigil.check;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vigil.config.CheckConfig;
import io.vigil.status.Reason;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@code postgres} check: {@code SELECT 1, pg_is_in_recovery()} on the check's own small pool,
 * which recovers by itself after a server restart. The server-side {@code statement_timeout} is the
 * check's timeout, so a hung query does not keep a pooled connection busy after the probe gave up.
 */
public final class PostgresCheck implements Check {
  private final PostgresSettings settings;
  private final Pool pool;

  public PostgresCheck(Vertx vertx, CheckConfig config) {
    this.settings = (PostgresSettings) config.settings();
    PgConnectOptions connect = PgConnectOptions.fromUri(settings.uri())
        .addProperty("statement_timeout", Long.toString(config.options().timeout().toMillis()))
        .addProperty("application_name", "vigil");
    if (settings.password() != null) {
      connect.setPassword(settings.password());
    }
    PoolOptions poolOptions = new PoolOptions()
        .setMaxSize(settings.poolSize())
        .setMaxWaitQueueSize(settings.poolSize() * 4)
        .setName("vigil-" + config.name()); // the pool-name metric label: a check name, never a host
    this.pool = PgBuilder.pool().with(poolOptions).with(ClientOptions.net(config.options()))
        .connectingTo(connect).using(vertx).build();
  }

  @Override
  public Future<Observation> probe() {
    return pool.query("SELECT 1, pg_is_in_recovery()").execute().map(rows -> {
      Row row = rows.iterator().hasNext() ? rows.iterator().next() : null;
      Boolean recovery = row == null ? null : row.getBoolean(1);
      Map<String, Object> data = new LinkedHashMap<>();
      if (recovery != null) {
        data.put("inRecovery", recovery);
      }
      data.put("poolSize", pool.size());
      data.put("poolMax", settings.poolSize());
      return evaluate(settings.primary(), row == null ? null : row.getInteger(0), recovery, data);
    });
  }

  /** The verdict on one answer: pure, unit-tested. {@code primary} null accepts either role. */
  static Observation evaluate(Boolean primary, Integer one, Boolean inRecovery, Map<String, Object> data) {
    if (one == null || one != 1 || inRecovery == null) {
      return Observation.down(Reason.PROTOCOL, "SELECT 1 answered " + one, data);
    }
    if (Boolean.TRUE.equals(primary) && inRecovery) {
      return Observation.down(Reason.UNAVAILABLE, "server is in recovery (a replica); a primary is required", data);
    }
    if (Boolean.FALSE.equals(primary) && !inRecovery) {
      return Observation.down(Reason.UNAVAILABLE, "server is a primary; a replica is required", data);
    }
    return Observation.up(data);
  }

  @Override
  public Future<Void> close() {
    return pool.close();
  }
}

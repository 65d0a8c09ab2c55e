package io.vigil.check;

import io.vigil.model.Observation;

import io.vigil.config.PostgresSettings;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vigil.config.CheckConfig;
import io.vigil.model.Reason;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * A {@code postgres} check: {@code SELECT 1, pg_is_in_recovery()} on the check's own small pool,
 * which recovers by itself after a server restart. The server-side {@code statement_timeout} is the
 * check's timeout, so a slow query on a live server ends there too.
 *
 * <p>{@link #abort()} closes the whole pool and builds a fresh one. The pool has no public way to
 * discard the one connection a query is stuck on (giving it back keeps it busy), and a connection
 * still in its startup exchange, which a silent server never answers, is in no pool yet; closing
 * the pool closes every connection it opened, the connecting one included. It happens only on a
 * timeout, and costs one new connection.
 */
public final class PostgresCheck implements Check {
  private static final Logger LOG = Logger.getLogger("vigil.check");
  private final Vertx vertx;
  private final String name;
  private final PostgresSettings settings;
  private final PgConnectOptions connect;
  private final PoolOptions poolOptions;
  private final NetClientOptions net;
  private volatile Pool pool;

  public PostgresCheck(Vertx vertx, CheckConfig config) {
    this.vertx = vertx;
    this.name = config.name();
    this.settings = (PostgresSettings) config.settings();
    this.connect = PgConnectOptions.fromUri(settings.uri())
        .addProperty("statement_timeout", Long.toString(config.options().timeout().toMillis()))
        .addProperty("application_name", "vigil");
    if (settings.password() != null) {
      connect.setPassword(settings.password());
    }
    this.poolOptions = new PoolOptions()
        .setMaxSize(settings.poolSize())
        .setMaxWaitQueueSize(settings.poolSize() * 4)
        .setName("vigil-" + config.name()); // the pool-name metric label: a check name, never a host
    this.net = ClientOptions.net(config.options());
    this.pool = build();
  }

  private Pool build() {
    return PgBuilder.pool().with(poolOptions).with(net).connectingTo(connect).using(vertx).build();
  }

  @Override
  public Future<Observation> probe() {
    Pool pool = this.pool;
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

  /** Closes the pool the stuck probe used (its query fails at once) and puts a fresh one in its place. */
  @Override
  public void abort() {
    Pool stuck = pool;
    pool = build();
    stuck.close().onFailure(e -> LOG.fine("check=" + name + " closing the aborted pool: " + Failures.message(e)));
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

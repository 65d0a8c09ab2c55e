package io.vigil.check;

import io.vigil.config.RedisSettings;
import io.vigil.model.Observation;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vigil.config.CheckConfig;
import io.vigil.model.Reason;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * A {@code redis} check: {@code PING} through the pooled client (which reconnects by itself after a
 * restart), then, as configured, {@code ROLE}, a {@code SET} with expiry on the monitor's own key,
 * and {@code INFO} fields. Facts are gathered first; pure functions judge them.
 *
 * <p>{@link #abort()} closes the whole client and builds a fresh one. The client has no public way
 * to close the one pooled connection a command is stuck on (giving it back would queue the next
 * probe behind the stuck command), and a connection still in its handshake ({@code HELLO}, which a
 * silent server never answers) is in no pool yet; closing the client closes every socket it opened.
 * It happens only on a timeout or an answer that is not RESP, and costs one new connection.
 */
public final class RedisCheck implements Check {
  private static final Logger LOG = Logger.getLogger("vigil.check");
  private final Vertx vertx;
  private final String name;
  private final RedisSettings settings;
  private final RedisOptions options;
  private final long ttlMs;
  private volatile Redis redis;

  public RedisCheck(Vertx vertx, CheckConfig config) {
    this(vertx, config, null);
  }

  /** {@code trust}: a certificate authority to trust for {@code rediss://} instead of the JVM's (tests). */
  RedisCheck(Vertx vertx, CheckConfig config, TrustOptions trust) {
    this.vertx = vertx;
    this.name = config.name();
    this.settings = (RedisSettings) config.settings();
    this.ttlMs = Math.max(30_000, config.options().interval().toMillis() * 3);
    // rediss:// checks the certificate is for the host named in the URI, as https does.
    NetClientOptions net = ClientOptions.net(config.options()).setHostnameVerificationAlgorithm("HTTPS");
    if (trust != null) {
      net.setTrustOptions(trust);
    }
    this.options = new RedisOptions()
        .setConnectionString(settings.uri())
        .setNetClientOptions(net)
        .setPoolName("vigil-" + config.name()) // the pool-name metric label: a check name, not a UUID
        .setMaxPoolSize(2)
        .setMaxPoolWaiting(8);
    if (settings.password() != null) {
      options.setPassword(settings.password());
    }
    this.redis = Redis.createClient(vertx, options);
  }

  @Override
  public Future<Observation> probe() {
    Redis client = redis;
    Map<String, Object> data = new LinkedHashMap<>();
    return client.send(Request.cmd(Command.PING)).compose(pong -> {
      Observation ping = evaluatePing(pong == null ? null : pong.toString());
      if (!ping.ok()) {
        return Future.succeededFuture(ping);
      }
      return role(client, data).compose(r -> r.ok() ? write(client) : Future.succeededFuture(r))
          .compose(w -> w.ok() ? info(client, data) : Future.succeededFuture(w))
          .map(o -> o.ok() ? Observation.up(data) : new Observation(false, o.reason(), o.message(), data));
    }).onFailure(e -> {
      // After bytes that are not RESP the client marks its connection failed but leaves the socket
      // open (until the read-idle backstop): discard it as after a timeout.
      if (Failures.reason(e) == Reason.PROTOCOL) {
        discard(client);
      }
    });
  }

  /** Closes the client the stuck probe used (its commands fail at once) and puts a fresh one in its place. */
  @Override
  public void abort() {
    discard(redis);
  }

  private synchronized void discard(Redis used) {
    if (redis == used) {
      redis = Redis.createClient(vertx, options);
    }
    used.close().onFailure(e -> LOG.fine("check=" + name + " closing a discarded client: " + Failures.message(e)));
  }

  private Future<Observation> role(Redis client, Map<String, Object> data) {
    if (settings.role() == null) {
      return Future.succeededFuture(Observation.up());
    }
    return client.send(Request.cmd(Command.ROLE)).map(r -> {
      String role = normalizeRole(r != null && r.size() > 0 ? r.get(0).toString() : null);
      data.put("role", role);
      return evaluateRole(settings.role(), role);
    });
  }

  private Future<Observation> write(Redis client) {
    if (!settings.writable()) {
      return Future.succeededFuture(Observation.up());
    }
    Request set = Request.cmd(Command.SET).arg(settings.key()).arg(Long.toString(System.currentTimeMillis()))
        .arg("PX").arg(ttlMs);
    // A refusal (READONLY, MISCONF, OOM) fails the future; Failures maps it to "unavailable".
    return client.send(set).map(ok -> "OK".equals(String.valueOf(ok)) ? Observation.up()
        : Observation.down(Reason.UNAVAILABLE, "SET was not accepted: " + ok));
  }

  private Future<Observation> info(Redis client, Map<String, Object> data) {
    if (settings.info().isEmpty()) {
      return Future.succeededFuture(Observation.up());
    }
    return client.send(Request.cmd(Command.INFO)).map(r -> {
      Map<String, String> fields = parseInfo(r == null ? "" : r.toString());
      if (fields.containsKey("redis_version")) {
        data.put("redisVersion", fields.get("redis_version"));
      }
      return evaluateInfo(settings.info(), fields);
    });
  }

  static Observation evaluatePing(String reply) {
    return "PONG".equals(reply) ? Observation.up()
        : Observation.down(Reason.PROTOCOL, "PING answered \"" + reply + "\", not PONG");
  }

  /** Redis before 5 says {@code slave}; the configuration speaks of {@code replica}. */
  static String normalizeRole(String role) {
    return "slave".equals(role) ? "replica" : role;
  }

  static Observation evaluateRole(String expected, String actual) {
    return expected.equals(actual) ? Observation.up()
        : Observation.down(Reason.UNAVAILABLE, "role is " + actual + ", expected " + expected);
  }

  static Map<String, String> parseInfo(String text) {
    Map<String, String> fields = new HashMap<>();
    for (String line : text.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("#")) {
        fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
      }
    }
    return fields;
  }

  static Observation evaluateInfo(Map<String, String> expected, Map<String, String> actual) {
    for (Map.Entry<String, String> e : expected.entrySet()) {
      String value = actual.get(e.getKey());
      if (!e.getValue().equals(value)) {
        return Observation.down(Reason.ASSERTION, "INFO " + e.getKey() + " is " + (value == null ? "missing" : value)
            + ", expected " + e.getValue());
      }
    }
    return Observation.up();
  }

  @Override
  public Future<Void> close() {
    return redis.close();
  }
}

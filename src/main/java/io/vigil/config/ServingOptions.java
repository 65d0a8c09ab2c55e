package io.vigil.config;

import java.time.Duration;
import java.util.OptionalInt;

/**
 * How the HTTP side protects itself: where {@code /metrics} and {@code /events} listen, how many
 * connections and SSE subscribers it holds, and how long an idle connection may stay. Read from
 * {@code server.*}; the defaults keep probes answering under the hostile load of docs/benchmarks.md.
 */
public record ServingOptions(OptionalInt managementPort, int maxConnections, Duration idleTimeout, int maxEventClients) {
  /**
   * 75 s: above nginx's default upstream {@code keepalive_timeout} (60 s), so that nginx, not Vigil,
   * closes a pooled idle connection and never sends a request on one Vigil is closing.
   */
  public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(75);
  public static final ServingOptions DEFAULTS = new ServingOptions(OptionalInt.empty(), 10_000, IDLE_TIMEOUT, 256);
  private static final int MAX_CONNECTIONS_LIMIT = 1_000_000;

  /** Reads the keys this record holds from the {@code server} mapping {@code n}; {@code port} is server.port. */
  static ServingOptions parse(ConfigNode n, int port) {
    ServingOptions d = DEFAULTS;
    Integer management = n.optionalInteger("management-port", 0);
    if (management != null && management > 65535) {
      n.problem("management-port", "must be <= 65535 (was " + management + ")");
      management = null;
    } else if (management != null && management != 0 && management == port) {
      n.problem("management-port", "must differ from server.port (both " + port + "); leave it out to serve everything on one port");
      management = null;
    }
    int maxConnections = n.integer("max-connections", d.maxConnections(), 1);
    if (maxConnections > MAX_CONNECTIONS_LIMIT) {
      n.problem("max-connections", "must be <= " + MAX_CONNECTIONS_LIMIT + " (was " + maxConnections + ")");
      maxConnections = d.maxConnections();
    }
    Duration idle = n.duration("idle-timeout", d.idleTimeout());
    if (idle.compareTo(Duration.ofSeconds(1)) < 0) {
      n.problem("idle-timeout", "must be at least 1s, or keep-alive clients would reconnect for every request (was "
          + Durations.format(idle) + ")");
      idle = d.idleTimeout();
    }
    ConfigNode events = n.child("events");
    int maxClients = events.integer("max-clients", d.maxEventClients(), 1);
    events.finish();
    return new ServingOptions(management == null ? OptionalInt.empty() : OptionalInt.of(management),
        maxConnections, idle, maxClients);
  }

  /** The same without a management port: everything on server.port. */
  public ServingOptions withoutManagementPort() {
    return new ServingOptions(OptionalInt.empty(), maxConnections, idleTimeout, maxEventClients);
  }
}

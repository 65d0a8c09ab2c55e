package io.vigil.config;

import java.time.Duration;
import java.util.List;

/**
 * The {@code cluster:} section. Disabled by default: a single process is unchanged. Members join by
 * TCP/IP on {@code host:port} (multicast off); {@code members} lists the others as {@code host:port}.
 * {@code failureDetection} is how long a silent member (frozen, cut off) counts as alive: Hazelcast's
 * heartbeat timeout, which defaults to 60 s there, far too long for a monitor. A member that dies
 * outright is noticed in about a second, when its TCP connections close.
 */
public record ClusterConfig(boolean enabled, String name, String host, int port, List<String> members,
    Duration failureDetection) {

  public static final int DEFAULT_PORT = 5701;
  public static final ClusterConfig DISABLED = new ClusterConfig(false, "vigil", "127.0.0.1", DEFAULT_PORT, List.of(),
      Duration.ofSeconds(5));

  public ClusterConfig {
    members = List.copyOf(members);
  }
}

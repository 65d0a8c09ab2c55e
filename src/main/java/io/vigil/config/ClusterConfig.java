package io.vigil.config;

import io.vigil.model.CheckOptions;
import java.time.Duration;
import java.util.List;

/**
 * The {@code cluster:} section. Disabled by default: a single process is unchanged. Members join by
 * TCP/IP on {@code host:port} (multicast off); {@code members} lists the others as {@code host:port}.
 * {@code failureDetection} is how long a silent member (frozen, cut off) counts as alive: Hazelcast's
 * heartbeat timeout, which defaults to 60 s there, far too long for a monitor. A member that dies
 * outright is noticed in about a second, when its TCP connections close. {@code busPort} is the
 * clustered event bus's own TCP port (results travel there, not through Hazelcast): 0 lets Vert.x
 * pick one, which a firewall between members cannot allow in advance.
 */
public record ClusterConfig(boolean enabled, String name, String host, int port, int busPort, List<String> members,
    Duration failureDetection) {

  public static final int DEFAULT_PORT = 5701;
  public static final ClusterConfig DISABLED = new ClusterConfig(false, "vigil", "127.0.0.1", DEFAULT_PORT, 0, List.of(),
      Duration.ofSeconds(5));

  public ClusterConfig {
    members = List.copyOf(members);
  }

  /**
   * The longest a check can go without a result when its owner freezes or is cut off: the round in
   * flight (interval + timeout), then the failure-detection time before another member takes it.
   */
  public Duration worstHandover(CheckOptions options) {
    return options.interval().plus(options.timeout()).plus(failureDetection);
  }

  /**
   * The checks whose max-age is not longer than {@link #worstHandover}: they read UNKNOWN on every
   * member before a silent owner's checks are taken over (a member that dies outright is noticed
   * in about a second and does not cause it).
   */
  public List<CheckConfig> outlastedByHandover(List<CheckConfig> checks) {
    return checks.stream().filter(c -> c.options().effectiveMaxAge().compareTo(worstHandover(c.options())) <= 0).toList();
  }
}

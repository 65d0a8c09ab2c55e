package io.vigil.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vigil.config.ClusterConfig;

/**
 * The Hazelcast configuration of a Vigil cluster, from the {@code cluster:} section: Vert.x's own
 * defaults for its maps ({@link ConfigUtil#loadConfig()}), TCP/IP join on the listed members with
 * multicast off, a heartbeat every second and the configured failure-detection time, and joins
 * that do not wait 5-10 s for members that may never come (Hazelcast's defaults, made for data grids).
 */
public final class HazelcastSetup {
  private HazelcastSetup() {}

  public static HazelcastClusterManager clusterManager(ClusterConfig c) {
    return new HazelcastClusterManager(config(c));
  }

  static Config config(ClusterConfig c) {
    Config hz = ConfigUtil.loadConfig();
    hz.setClusterName(c.name());
    hz.setProperty("hazelcast.logging.type", "jdk");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    // Hazelcast's own metrics (collected every 5 s, for Management Center) are read by nobody here;
    // Vigil exports what matters about the cluster itself.
    hz.getMetricsConfig().setEnabled(false);
    // Vigil's drain leaves the cluster itself, after handing its checks over.
    hz.setProperty("hazelcast.shutdownhook.enabled", "false");
    hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(Math.max(1, c.failureDetection().toSeconds())));
    // A member cut off (frozen, partitioned) and back runs alone until Hazelcast merges it in: 300 s
    // after start, then every 120 s by default; meanwhile it probes every check a second time.
    hz.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    hz.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
    hz.setProperty("hazelcast.wait.seconds.before.join", "1");
    hz.setProperty("hazelcast.max.wait.seconds.before.join", "3");
    // Marks a monitor: subscribers (plain clustered Vert.x applications) join the same cluster, and
    // must not be handed checks.
    hz.getMemberAttributeConfig().setAttribute(HazelcastMembership.ROLE, HazelcastMembership.MONITOR);
    NetworkConfig net = hz.getNetworkConfig();
    net.setPort(c.port()).setPortAutoIncrement(false);
    hz.setProperty("hazelcast.local.localAddress", c.host());
    // Listen on that address only, as cluster.host says: Hazelcast binds every interface by default,
    // which put the cluster port on each network a container joins (the event bus binds the host already).
    hz.setProperty("hazelcast.socket.bind.any", "false");
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).addMember(c.host() + ":" + c.port());
    c.members().forEach(m -> join.getTcpIpConfig().addMember(m));
    return hz;
  }
}

package io.vigil.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.TestPorts;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A plain clustered Vert.x application, as another service would be: it joins Vigil's cluster on
 * Hazelcast (no Vigil code on its side) and follows {@code vigil.check.result} and
 * {@code vigil.status.changed}.
 */
final class BusSubscriber implements AutoCloseable {
  final List<JsonObject> results = new CopyOnWriteArrayList<>();
  final List<JsonObject> transitions = new CopyOnWriteArrayList<>();
  private final HazelcastClusterManager manager;
  private final Vertx vertx;

  BusSubscriber(String clusterName, List<Integer> memberPorts) {
    Config hz = ConfigUtil.loadConfig();
    hz.setClusterName(clusterName);
    hz.setProperty("hazelcast.logging.type", "jdk");
    hz.setProperty("hazelcast.wait.seconds.before.join", "1");
    // Vigil's members drop one that is silent for their failure-detection time (3 s here): a
    // subscriber must beat more often than that (Hazelcast's default is every 5 s).
    hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(Members.DETECTION_MS / 1000));
    hz.getNetworkConfig().setPort(TestPorts.closed()).setPortAutoIncrement(false);
    hz.setProperty("hazelcast.local.localAddress", "127.0.0.1");
    JoinConfig join = hz.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true);
    memberPorts.forEach(p -> join.getTcpIpConfig().addMember("127.0.0.1:" + p));
    manager = new HazelcastClusterManager(hz);
    try { // joining takes seconds: longer than MonitorFixture.await allows
      vertx = Vertx.builder().withClusterManager(manager).buildClustered().toCompletionStage().toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the subscriber did not join cluster " + clusterName + ": " + e, e);
    }
    MonitorFixture.await(vertx.eventBus().<JsonObject>consumer("vigil.check.result", m -> results.add(m.body())).completion());
    MonitorFixture.await(vertx.eventBus().<JsonObject>consumer("vigil.status.changed", m -> transitions.add(m.body())).completion());
  }

  /** The Hazelcast member id of the Vigil listening on each cluster port. */
  Map<Integer, String> memberIds() {
    return manager.getHazelcastInstance().getCluster().getMembers().stream()
        .filter(m -> "monitor".equals(m.getAttribute("vigil.role")))
        .collect(Collectors.toMap(m -> m.getAddress().getPort(), (Member m) -> m.getUuid().toString()));
  }

  /** The cluster port of the oldest Vigil: Hazelcast's master, and the member that announces the overall state. */
  int oldestMonitorPort() {
    return manager.getHazelcastInstance().getCluster().getMembers().stream()
        .filter(m -> "monitor".equals(m.getAttribute("vigil.role"))).findFirst().orElseThrow().getAddress().getPort();
  }

  List<JsonObject> transitionsOf(String check) {
    return transitions.stream().filter(t -> t.getString("check").equals(check)).toList();
  }

  @Override
  public void close() {
    vertx.close();
  }
}

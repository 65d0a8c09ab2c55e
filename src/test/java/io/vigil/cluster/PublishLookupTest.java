package io.vigil.cluster;

import static io.vigil.testsupport.MonitorFixture.await;
import static io.vigil.testsupport.MonitorFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Completable;
import io.vertx.core.Vertx;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vigil.bus.Addresses;
import io.vigil.config.ClusterConfig;
import io.vigil.config.ConfigLoader;
import io.vigil.engine.Engine;
import io.vigil.metrics.CheckMetrics;
import io.vigil.model.CheckOptions;
import io.vigil.model.Clock;
import io.vigil.testsupport.SwitchableCheck;
import io.vigil.testsupport.TestPorts;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A clustered member's results ask Hazelcast for nothing per result. Vert.x caches an address's
 * subscribers only when there are some, so each publish to an address nobody (else) listens on asked
 * Hazelcast again: a map lookup on a worker thread here and a partition operation on another member.
 * In the cluster bench, with no subscriber and no /events client, that was 30 % of the cluster's CPU
 * (ratio to a single process 2.63 before, 1.37 after).
 */
class PublishLookupTest {
  /** Hazelcast's cluster manager, counting the subscriber lookups the event bus makes per address. */
  private static final class CountingManager extends HazelcastClusterManager {
    final Map<String, AtomicInteger> lookups = new ConcurrentHashMap<>();

    CountingManager(ClusterConfig c) {
      super(HazelcastSetup.config(c));
    }

    @Override
    public void getRegistrations(String address, Completable<List<RegistrationInfo>> promise) {
      lookups.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
      super.getRegistrations(address, promise);
    }

    int of(String address) {
      AtomicInteger n = lookups.get(address);
      return n == null ? 0 : n.get();
    }
  }

  @Test
  void aMembersResultsWithNoSubscriberAnywhereAskTheClusterForSubscribersAtMostOnce() throws Exception {
    int port = TestPorts.closed();
    CountingManager manager = new CountingManager(new ClusterConfig(true, "lookup-test", "127.0.0.1", port, 0,
        List.of(), Duration.ofSeconds(3)));
    Vertx vertx = await(Vertx.builder().withClusterManager(manager).buildClustered());
    try {
      HazelcastMembership alone = new HazelcastMembership(vertx, manager);
      await(alone.start());
      assertTrue(alone.clustered() && alone.leads() && alone.owns("c0"), "a cluster of one owns everything");
      Engine engine = new Engine(vertx, new ConfigLoader(Map.of()).parse("checks: {}", "test.yaml"),
          new CheckMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), "test"), Clock.SYSTEM, alone);
      await(engine.start());
      CheckOptions fast = CheckOptions.DEFAULTS.withInterval(Duration.ofMillis(50)).withTimeout(Duration.ofMillis(40))
          .withMaxAge(Duration.ofSeconds(5));
      for (int i = 0; i < 4; i++) {
        await(engine.register("c" + i, new SwitchableCheck(), fast));
      }
      eventually(Duration.ofSeconds(20), "200 results", () -> engine.snapshot().checks().stream()
          .mapToLong(c -> c.consecutiveSuccesses()).sum() >= 200);
      assertTrue(manager.of(Addresses.RESULT) <= 1,
          "lookups of " + Addresses.RESULT + " for 200 results: " + manager.of(Addresses.RESULT));
      assertEquals(0, manager.of(Addresses.VIEW), "the view is local: " + Addresses.VIEW + " is never looked up");
      await(engine.stop());
    } finally {
      await(vertx.close());
    }
  }
}

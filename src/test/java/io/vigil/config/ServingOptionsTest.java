package io.vigil.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The serving keys of {@code server}: defaults, values, and every mistake named by its path. */
class ServingOptionsTest {
  private final ConfigLoader loader = new ConfigLoader(Map.of());

  @Test
  void defaultsHoldWhenNothingIsWritten() {
    ServingOptions o = loader.parse("checks: {}", "t.yaml").server().serving();
    assertEquals(OptionalInt.empty(), o.managementPort());
    assertEquals(10_000, o.maxConnections());
    assertEquals(Duration.ofSeconds(75), o.idleTimeout());
    assertEquals(256, o.maxEventClients());
  }

  @Test
  void everyKeyIsRead() {
    ServingOptions o = loader.parse("""
        server: { port: 9090, management-port: 9091, max-connections: 500, idle-timeout: 30s, events: { max-clients: 10 } }
        checks: {}
        """, "t.yaml").server().serving();
    assertEquals(new ServingOptions(OptionalInt.of(9091), 500, Duration.ofSeconds(30), 10), o);
  }

  @Test
  void zeroPicksAFreeManagementPortEvenWhenTheMainPortIsZeroToo() {
    ServingOptions o = loader.parse("server: { port: 0, management-port: 0 }\nchecks: {}", "t.yaml").server().serving();
    assertEquals(OptionalInt.of(0), o.managementPort());
  }

  @Test
  void everyBadValueIsReportedWithItsPathAtOnce() {
    ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("""
        server: { management-port: -1, max-connections: 2000000, idle-timeout: 5x, events: { max-clients: 0 } }
        checks: {}
        """, "t.yaml"));
    assertEquals(List.of(
        "server.management-port: must be >= 0 (was -1)",
        "server.max-connections: must be <= 1000000 (was 2000000)",
        "server.idle-timeout: \"5x\" is not a duration (write 500ms, 5s, 1m)",
        "server.events.max-clients: must be >= 1 (was 0)"), e.problems());
  }
}

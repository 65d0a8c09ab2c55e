package io.vigil.engine;

import static io.vigil.testsupport.MonitorFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.TestPorts;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A monitor with thousands of checks starts without holding an event loop: the deployments are
 * asked for in batches, each its own task. Asked for in one task, 3,000 of them held the board's
 * loop for over half a second, which the blocked-thread guard (200 ms) fails. The checks connect
 * to a port where nothing listens, every minute.
 */
class ManyChecksStartTest {
  static final int CHECKS = 3_000;

  @Test
  void threeThousandChecksStartWithNoEventLoopBlocked() {
    int refused = TestPorts.closed();
    StringBuilder yaml = new StringBuilder("checks:\n  defaults: { interval: 60s, timeout: 2s, critical: false }\n");
    for (int i = 0; i < CHECKS; i++) {
      yaml.append("  c").append(i).append(": { type: tcp, host: 127.0.0.1, port: ").append(refused).append(" }\n");
    }
    try (MonitorFixture m = MonitorFixture.start(yaml.toString())) {
      eventually(Duration.ofSeconds(60), "every check reported once", () -> m.status("/health/startup") == 200);
      assertEquals(CHECKS, m.running().monitor().checkHealth().checks().size());
    }
  }
}

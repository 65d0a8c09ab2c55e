package io.vigil.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The cluster warns about checks whose max-age a silent owner outlasts: interval + timeout +
 * failure-detection reaches it, so they read UNKNOWN before another member takes them over.
 */
class HandoverMaxAgeTest {
  private static VigilConfig parse(String checks) {
    return new ConfigLoader(Map.of()).parse("""
        cluster: { enabled: true, name: c, members: ["127.0.0.1:5702"], failure-detection: 5s }
        checks:
        """ + checks, "vigil.yaml");
  }

  @Test
  void aMaxAgeNotLongerThanIntervalTimeoutAndDetectionIsNamed() {
    VigilConfig c = parse("""
          fast: { type: tcp, host: 127.0.0.1, port: 1, interval: 1s, timeout: 500ms }
          exact: { type: tcp, host: 127.0.0.1, port: 1, interval: 2s, timeout: 1s, max-age: 8s }
          roomy: { type: tcp, host: 127.0.0.1, port: 1, interval: 2s, timeout: 1s, max-age: 8001ms }
          slow: { type: tcp, host: 127.0.0.1, port: 1, interval: 10s, timeout: 2s }
        """);
    assertEquals(List.of("fast", "exact"), c.cluster().outlastedByHandover(c.checks()).stream().map(CheckConfig::name).toList(),
        "fast: 3 s max-age (3 x 1 s) <= 6.5 s; exact: 8 s <= 8 s; roomy: 8.001 s > 8 s; slow: 30 s > 17 s");
    assertEquals(Duration.ofMillis(6500), c.cluster().worstHandover(c.checks().get(0).options()));
  }
}

package io.vigil.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** max-age must exceed the longest gap a healthy schedule leaves between two results. */
class MaxAgeRuleTest {
  private final ConfigLoader loader = new ConfigLoader(Map.of());

  @Test
  void maxAgeNotAboveIntervalPlusTimeoutPlusJitterIsAProblemNamingItsPath() {
    ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("""
        checks:
          a: { type: tcp, host: 127.0.0.1, port: 1, interval: 5s, timeout: 2s, max-age: 7250ms }
        """, "t.yaml"));
    assertEquals(List.of("checks.a.max-age: must be longer than interval + timeout + jitter (5s + 2s + 250ms = 7250ms),"
        + " or a healthy check would read stale between two results (was 7250ms)"), e.problems());
  }

  @Test
  void jitterIsFivePercentOfShortIntervals() {
    ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("""
        checks:
          a: { type: tcp, host: 127.0.0.1, port: 1, interval: 800ms, timeout: 200ms, max-age: 1s }
        """, "t.yaml"));
    assertEquals(List.of("checks.a.max-age: must be longer than interval + timeout + jitter (800ms + 200ms + 40ms = 1040ms),"
        + " or a healthy check would read stale between two results (was 1s)"), e.problems());
  }

  @Test
  void maxAgeJustAboveTheGapAndTheDefaultAreAccepted() {
    VigilConfig c = loader.parse("""
        checks:
          a: { type: tcp, host: 127.0.0.1, port: 1, interval: 5s, timeout: 2s, max-age: 7251ms }
          b: { type: tcp, host: 127.0.0.1, port: 1, interval: 1s, timeout: 1s }
        """, "t.yaml");
    assertEquals(Duration.ofMillis(7251), c.checks().get(0).options().effectiveMaxAge());
    assertEquals(Duration.ofSeconds(3), c.checks().get(1).options().effectiveMaxAge(), "3 x interval is always above the gap");
  }
}

package io.vigil.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.json.JsonObject;
import io.vigil.model.CheckOptions;
import io.vigil.model.CheckResult;
import io.vigil.model.CheckSpec;
import io.vigil.model.Reason;
import io.vigil.status.ManualClock;
import io.vigil.status.StatusBoard;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * MicroProfile Health knows only UP and DOWN: DEGRADED is UP there and UNKNOWN is DOWN, at the top
 * and for each check; the full state stays in {@code state} and {@code data.state}.
 */
class MicroProfileStatusTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-25T00:00:00Z"));
  private final StatusBoard board = new StatusBoard(List.of(
      new CheckSpec("db", "postgres", CheckOptions.DEFAULTS),
      new CheckSpec("batch", "http", CheckOptions.DEFAULTS.withCritical(false))), null, clock);

  private void result(String check, boolean ok) {
    clock.advance(Duration.ofSeconds(1));
    board.record(new CheckResult(check, "tcp", ok, ok ? null : Reason.TIMEOUT, ok ? null : "slow", Map.of(),
        Duration.ofMillis(1), clock.wall(), clock.nanos()));
  }

  private JsonObject snapshot() {
    return EventJson.snapshot(board.snapshot(), true);
  }

  private static JsonObject check(JsonObject snapshot, String name) {
    return snapshot.getJsonArray("checks").stream().map(o -> (JsonObject) o)
        .filter(c -> c.getString("name").equals(name)).findFirst().orElseThrow();
  }

  @Test
  void unknownIsDownAtTheTopAndForEachCheck() {
    JsonObject s = snapshot();
    assertEquals("DOWN", s.getString("status"));
    assertEquals("UNKNOWN", s.getString("state"));
    assertEquals("DOWN", check(s, "db").getString("status"));
    assertEquals("UNKNOWN", check(s, "db").getJsonObject("data").getString("state"));
  }

  @Test
  void degradedIsUpAtTheTopAndForACheckFailingBelowItsThreshold() {
    result("db", true);
    result("batch", false); // non-critical and DOWN: the whole is DEGRADED
    result("db", false);    // one failure of three: the check is DEGRADED
    JsonObject s = snapshot();
    assertEquals("UP", s.getString("status"));
    assertEquals("DEGRADED", s.getString("state"));
    assertEquals("UP", check(s, "db").getString("status"));
    assertEquals("DEGRADED", check(s, "db").getJsonObject("data").getString("state"));
    assertEquals("DOWN", check(s, "batch").getString("status"));
  }

  @Test
  void downIsDownAndAnUpCheckShowsNoReason() {
    result("db", false);
    result("batch", true);
    JsonObject s = snapshot();
    assertEquals("DOWN", s.getString("status"));
    assertEquals("DOWN", s.getString("state"));
    assertEquals("UP", check(s, "batch").getString("status"));
    assertNull(check(s, "batch").getJsonObject("data").getString("reason"));
    assertEquals("timeout", check(s, "db").getJsonObject("data").getString("reason"));
  }

  @Test
  void everyStatusFieldIsUpOrDownWhateverTheStates() {
    for (int i = 0; i < 12; i++) {
      result(i % 3 == 0 ? "db" : "batch", i % 4 != 1);
      JsonObject s = snapshot();
      assertEquals(true, List.of("UP", "DOWN").contains(s.getString("status")), s.encode());
      s.getJsonArray("checks").forEach(c -> assertEquals(true,
          List.of("UP", "DOWN").contains(((JsonObject) c).getString("status")), s.encode()));
    }
  }
}

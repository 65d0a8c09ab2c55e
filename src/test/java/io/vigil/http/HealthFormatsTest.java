package io.vigil.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vigil.bus.EventJson;
import io.vigil.model.CheckState;
import io.vigil.model.CheckStatus;
import io.vigil.model.OverallState;
import io.vigil.model.Reason;
import io.vigil.model.Snapshot;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The renderings' rules without a server: IETF statuses, what each tier shows, the flat data object. */
class HealthFormatsTest {
  private static final Instant AT = Instant.parse("2026-12-02T05:00:00Z");

  private static CheckStatus status(String name, CheckState state, int failures, String message, String cause,
      Map<String, Object> data) {
    return status(name, state, failures, message, cause, data, List.of());
  }

  private static CheckStatus status(String name, CheckState state, int failures, String message, String cause,
      Map<String, Object> data, List<String> dependsOn) {
    return new CheckStatus(name, "tcp", true, state, state == CheckState.UP ? null : Reason.CONNECTION_REFUSED, message,
        cause, 1.23456, AT, AT, AT, failures, failures == 0 ? 3 : 0, dependsOn, data);
  }

  private static Snapshot snapshot(CheckStatus... checks) {
    Map<String, Integer> positions = new HashMap<>();
    for (int i = 0; i < checks.length; i++) {
      positions.put(checks[i].name(), i);
    }
    return new Snapshot(7, AT, OverallState.DOWN, true, false, false, List.of(checks), positions);
  }

  private static JsonObject entry(JsonObject health, String name) {
    return health.getJsonObject("checks").getJsonArray(name + ":responseTime").getJsonObject(0);
  }

  @Test
  void ietfStatusIsPassWarnOrFailByStateAndRecentFailures() {
    JsonObject h = new JsonObject(HealthFormats.healthJson(snapshot(
        status("up", CheckState.UP, 0, null, null, Map.of()),
        status("flapping", CheckState.UP, 2, "refused", null, Map.of()),
        status("down", CheckState.DOWN, 3, "refused", null, Map.of()),
        status("stale", CheckState.UNKNOWN, 0, null, null, Map.of())), Tier.FULL));
    assertEquals("pass", entry(h, "up").getString("status"));
    assertEquals("warn", entry(h, "flapping").getString("status"), "UP below the failure threshold");
    assertEquals("fail", entry(h, "down").getString("status"));
    assertEquals("fail", entry(h, "stale").getString("status"));
  }

  @Test
  void fullTierShowsTypeOutputAndCauseAndTheOtherTierNone() {
    Snapshot s = snapshot(status("api", CheckState.DOWN, 3, "HTTP 500", "db", Map.of()),
        status("db", CheckState.DOWN, 3, null, null, Map.of()));
    JsonObject full = entry(new JsonObject(HealthFormats.healthJson(s, Tier.FULL)), "api");
    assertEquals("tcp", full.getString("componentType"));
    assertEquals(AT.toString(), full.getString("time"), "when the latest result came");
    assertEquals("HTTP 500", full.getString("output"));
    assertEquals("db", full.getJsonArray("affectedEndpoints").getString(0));
    JsonObject noMessage = entry(new JsonObject(HealthFormats.healthJson(s, Tier.FULL)), "db");
    assertFalse(noMessage.containsKey("output"), "no output without a message");
    assertFalse(noMessage.containsKey("affectedEndpoints"), "no affected endpoints without a cause");
    JsonObject names = entry(new JsonObject(HealthFormats.healthJson(s, Tier.NAMES_AND_STATES)), "api");
    assertEquals(Map.of("componentId", "api", "status", "fail"), names.getMap());
  }

  @Test
  void oneCheckShowsDataOnlyToTheFullTier() {
    CheckStatus c = status("api", CheckState.UP, 0, null, null, Map.of());
    JsonObject full = new JsonObject(HealthFormats.check(c, Tier.FULL));
    assertEquals("UP", full.getString("status"));
    assertEquals("tcp", full.getJsonObject("data").getString("type"));
    JsonObject names = new JsonObject(HealthFormats.check(status("api", CheckState.UNKNOWN, 0, null, null, Map.of()),
        Tier.NAMES_AND_STATES));
    assertEquals(Map.of("name", "api", "status", "DOWN"), names.getMap());
  }

  @Test
  void dataAddsTheCheckOwnEntriesWithoutOverridingTheStandardOnes() {
    JsonObject d = EventJson.data(status("api", CheckState.UP, 0, null, null, Map.of("region", "eu", "state", "FAKE")));
    assertEquals("eu", d.getString("region"), "a check's own data entry");
    assertEquals("UP", d.getString("state"), "a data entry never overrides a standard one");
    assertEquals(1.235, d.getDouble("latencyMs"), "latency rounded to the microsecond");
    assertEquals(AT.toString(), d.getString("since"));
    assertNull(d.getString("reason"));
    assertTrue(d.containsKey("probeReason"));
    assertFalse(d.containsKey("dependsOn"), "no dependsOn without dependencies");
    JsonObject dependent = EventJson.data(status("api", CheckState.UP, 0, null, null, Map.of(), List.of("db")));
    assertEquals(List.of("db"), dependent.getJsonArray("dependsOn").getList());
  }
}

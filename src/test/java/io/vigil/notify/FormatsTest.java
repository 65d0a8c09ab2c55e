package io.vigil.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.config.Secrets;
import io.vigil.model.CheckState;
import io.vigil.model.CheckStatus;
import io.vigil.model.Reason;
import io.vigil.model.Severity;
import io.vigil.paging.Page;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class FormatsTest {
  private static final Instant SINCE = Instant.parse("2026-12-07T10:00:00Z");
  private static final Instant NOW = Instant.parse("2026-12-07T10:00:30Z");
  private static final Secrets SECRETS = new Secrets(List.of("hunter2-redis-pass"));

  @Test
  void aWebhookBodyNamesTheRootAndWhatItTookDownAndItsSignatureVerifies() throws Exception {
    Message m = new WebhookFormat("pager", "s3cret-hmac", SECRETS).render(redisDown(), NOW);
    JsonObject body = new JsonObject(m.body());
    assertEquals("firing", body.getString("status"));
    assertEquals("redis", body.getString("check"));
    assertEquals("DOWN", body.getString("state"));
    assertEquals("connection_refused", body.getString("reason"));
    assertEquals("redis", body.getString("cause"));
    assertEquals(new JsonArray(List.of("api", "worker")), body.getJsonArray("affected"));
    assertEquals(SINCE.toString(), body.getString("startsAt"));
    assertEquals(42L, body.getLong("seq"));
    assertEquals("critical", body.getString("severity"));
    String timestamp = m.headers().get(WebhookFormat.TIMESTAMP);
    assertEquals(Long.toString(NOW.getEpochSecond()), timestamp);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec("s3cret-hmac".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String expected = "sha256=" + HexFormat.of().formatHex(mac.doFinal((timestamp + "." + m.body()).getBytes(StandardCharsets.UTF_8)));
    assertEquals(expected, m.headers().get(WebhookFormat.SIGNATURE));
    assertFalse(m.body().toString().contains("hunter2-redis-pass"), "the message is scrubbed: " + m.body());
    assertFalse(m.body().toString().contains("s3cret-hmac"));
  }

  @Test
  void aWebhookWithoutSecretIsUnsigned() {
    Message m = new WebhookFormat("pager", null, SECRETS).render(redisDown(), NOW);
    assertNull(m.headers().get(WebhookFormat.SIGNATURE));
  }

  @Test
  void anAlertmanagerAlertIsLabelledAsTheShippedRulesLabelTheirsAndEndsAfterFourRepeats() {
    Message m = new AlertmanagerFormat(Duration.ofMinutes(1), SECRETS).render(redisDown(), NOW);
    JsonObject alert = new JsonArray(m.body()).getJsonObject(0);
    assertEquals(new JsonObject(Map.of("alertname", "VigilCheckDown", "check", "redis", "cause", "redis", "role", "root",
        "severity", "critical", "source", "vigil")), alert.getJsonObject("labels"));
    assertEquals("api, worker", alert.getJsonObject("annotations").getString("affected"));
    assertEquals(NOW.plus(Duration.ofMinutes(4)).toString(), alert.getString("endsAt"));
    assertFalse(m.body().toString().contains("hunter2-redis-pass"));

    Page resolved = new Page(Page.Kind.RESOLVED, false, status(CheckState.UP, null), Severity.CRITICAL,
        List.of("api", "worker"), List.of("api"), SINCE, NOW, 43);
    JsonObject end = new JsonArray(new AlertmanagerFormat(Duration.ofMinutes(1), SECRETS).render(resolved, NOW).body())
        .getJsonObject(0);
    assertEquals(NOW.toString(), end.getString("endsAt"), "a resolve ends the alert now");
    assertEquals("/api/v2/alerts", new AlertmanagerFormat(Duration.ofMinutes(1), SECRETS).path());
  }

  @Test
  void aResolveWithoutReasonSaysSoAndANonCriticalRootIsTheWarningAlert() {
    CheckStatus cache = new CheckStatus("cache", "tcp", false, CheckState.UP, null, null, null, 1.0, SINCE, NOW, NOW, 0, 1,
        List.of(), Map.of());
    Page resolved = new Page(Page.Kind.RESOLVED, false, cache, Severity.WARNING, List.of(), List.of(), SINCE, NOW, 7);
    JsonObject body = new JsonObject(new WebhookFormat("chat", null, SECRETS).render(resolved, NOW).body());
    assertEquals("resolved", body.getString("status"));
    assertNull(body.getString("reason"));
    assertNull(body.getString("message"));
    assertEquals("cache", body.getString("cause"), "a root is its own cause");
    assertEquals(NOW.toString(), body.getString("endsAt"));
    JsonObject alert = new JsonArray(new AlertmanagerFormat(Duration.ofMinutes(1), SECRETS).render(resolved, NOW).body())
        .getJsonObject(0);
    assertEquals("VigilNonCriticalCheckDown", alert.getJsonObject("labels").getString("alertname"));
    assertEquals("cache is DOWN", alert.getJsonObject("annotations").getString("summary"));
  }

  @Test
  void aSlackMessageSaysWhatIsDownAndWhatItTookDown() {
    String text = new JsonObject(new SlackFormat().render(redisDown(), NOW).body()).getString("text");
    assertTrue(text.contains("*redis* is DOWN (connection_refused); it took down api, worker"), text);
    assertFalse(text.contains("hunter2-redis-pass"));
  }

  private static Page redisDown() {
    return new Page(Page.Kind.FIRING, false, status(CheckState.DOWN, Reason.CONNECTION_REFUSED), Severity.CRITICAL,
        List.of("api", "worker"), List.of(), SINCE, NOW, 42);
  }

  private static CheckStatus status(CheckState state, Reason reason) {
    return new CheckStatus("redis", "redis", true, state, reason,
        reason == null ? null : "connect to redis://:hunter2-redis-pass@127.0.0.1:1 refused", null, 1.0, SINCE, null, NOW,
        state == CheckState.DOWN ? 3 : 0, 0, List.of(), Map.of());
  }
}

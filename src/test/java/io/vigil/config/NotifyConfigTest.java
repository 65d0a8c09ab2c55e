package io.vigil.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.Severity;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NotifyConfigTest {
  private static final String CHECKS = """
      checks:
        redis: { type: redis, uri: "redis://127.0.0.1:6379" }
        api: { type: http, url: "http://127.0.0.1:8080/health", depends-on: [redis] }
      """;
  private final ConfigLoader loader = new ConfigLoader(Map.of("HOOK", "https://hooks.example.com/services/T0/B0/SeCrEtToKeN42",
      "HMAC", "hmac-secret-value-77"));

  @Test
  void noNotifySectionMeansNoNotifier() {
    assertEquals(List.of(), loader.parse(CHECKS, "t.yaml").notifiers());
  }

  @Test
  void aNotifierTakesItsDefaultsFromItsType() {
    VigilConfig c = loader.parse(CHECKS + """
        notify:
          am: { type: alertmanager, url: "http://127.0.0.1:9093" }
          hook: { type: webhook, url: "${HOOK}", secret: "${HMAC}", checks: [redis], min-severity: critical }
        """, "t.yaml");
    NotifierConfig am = c.notifiers().get(0);
    assertEquals(NotifierType.ALERTMANAGER, am.type());
    assertEquals(Duration.ofMinutes(1), am.repeatInterval());
    assertNull(am.checks());
    assertTrue(am.sendResolved());
    assertEquals(Duration.ofSeconds(10), am.groupWait());
    NotifierConfig hook = c.notifiers().get(1);
    assertEquals(Duration.ofHours(4), hook.repeatInterval());
    assertEquals(List.of("redis"), hook.checks());
    assertEquals(Severity.CRITICAL, hook.minSeverity());
    assertEquals("hmac-secret-value-77", hook.secret());
    assertFalse(hook.toString().contains("SeCrEtToKeN42"), hook.toString());
  }

  @Test
  void everyNotifierMistakeIsNamedWithItsPathAndNoUrlIsQuoted() {
    ConfigException e = assertThrows(ConfigException.class, () -> loader.parse(CHECKS + """
        notify:
          pager: { type: pagerduty, url: "${HOOK}" }
          chat: { type: slack, url: "ftp://hooks.example.com/services/T0/B0/SeCrEtToKeN42", secret: "${HMAC}" }
          am: { type: alertmanager, url: "http://127.0.0.1:9093", repeat-interval: 1h, checks: [nope], queue-size: 0 }
          hook: { type: webhook, url: "${HOOK}", min-severity: page, group-wait: soon, sendresolved: true }
        """, "t.yaml"));
    assertEquals(List.of(
        "notify.pager.type: \"pagerduty\" is not one of alertmanager, webhook, slack",
        "notify.chat.url: must be an http:// or https:// URL with a host (the value is a secret and not shown)",
        "notify.chat.secret: only a webhook notifier signs its body; slack takes no secret",
        "notify.am.queue-size: must be >= 1 (was 0)",
        "notify.am.repeat-interval: must be at most 15m for alertmanager, which ends an alert that is not re-posted (was 1h)",
        "notify.hook.min-severity: \"page\" is not one of warning, critical",
        "notify.hook.group-wait: \"soon\" is not a duration (write 500ms, 5s, 1m)",
        "notify.hook: unknown key \"sendresolved\"",
        "notify.am.checks: unknown check \"nope\""), e.problems());
    e.problems().forEach(p -> assertFalse(p.contains("SeCrEtToKeN42") || p.contains("hmac-secret-value-77"), p));
  }
}

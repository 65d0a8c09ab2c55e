package io.vigil.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The one table of notifier types: the config reader, the notifier factory and the README read it.
 * {@code defaultRepeat} is how often a firing root is sent again: Alertmanager wants its alerts
 * re-posted well within their end time (Prometheus re-sends every minute); a person's channel wants
 * a reminder, not a stream.
 */
public enum NotifierType {
  ALERTMANAGER("alertmanager", "posts the root cause as an alert to Alertmanager's /api/v2/alerts, re-posted while it fires, endsAt on resolve",
      Duration.ofMinutes(1)),
  WEBHOOK("webhook", "posts a JSON body (check, state, reason, cause, affected, seq, timestamps), signed with HMAC-SHA256 when a secret is set",
      Duration.ofHours(4)),
  SLACK("slack", "posts a message in Slack's incoming-webhook format (also read by Mattermost and Rocket.Chat)",
      Duration.ofHours(4));

  private final String key;
  private final String description;
  private final Duration defaultRepeat;

  NotifierType(String key, String description, Duration defaultRepeat) {
    this.key = key;
    this.description = description;
    this.defaultRepeat = defaultRepeat;
  }

  /** The name written in YAML, e.g. {@code webhook}. */
  public String key() {
    return key;
  }

  public String description() {
    return description;
  }

  public Duration defaultRepeat() {
    return defaultRepeat;
  }

  /** The type written {@code key}, in any case, matched under {@link Locale#ROOT}. */
  public static Optional<NotifierType> of(String key) {
    String wanted = key.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(t -> t.key.equals(wanted)).findFirst();
  }

  public static List<String> keys() {
    return Arrays.stream(values()).map(NotifierType::key).toList();
  }
}

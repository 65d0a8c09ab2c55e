package io.vigil.config;

import io.vigil.model.Severity;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * One named notifier of the {@code notify:} section. {@code url} and {@code secret} are secrets
 * (a Slack or webhook URL carries its token): never shown, logged or labelled. {@code checks} null
 * means every check. Delivery: at most {@code queueSize} notifications wait, the oldest dropped past
 * that; each attempt ends after {@code timeout}; a failed one is retried with exponential backoff
 * and jitter until it is {@code retryFor} old.
 */
public record NotifierConfig(String name, NotifierType type, URI url, String secret, List<String> checks,
    Severity minSeverity, boolean sendResolved, Duration repeatInterval, Duration groupWait, Duration timeout,
    int queueSize, Duration retryFor) {

  public static final Duration DEFAULT_GROUP_WAIT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  public static final int DEFAULT_QUEUE = 100;
  public static final Duration DEFAULT_RETRY_FOR = Duration.ofMinutes(15);

  public NotifierConfig {
    checks = checks == null ? null : List.copyOf(checks);
  }

  /** What must never be shown: the URL (and its path, where tokens live) and the signing secret. */
  public List<String> secrets() {
    List<String> out = new java.util.ArrayList<>();
    out.add(url.toString());
    String path = url.getRawPath();
    if (path != null && path.length() > 8) {
      out.add(path);
    }
    if (secret != null) {
      out.add(secret);
    }
    return out;
  }

  @Override
  public String toString() {
    return "NotifierConfig[name=" + name + ", type=" + type.key() + ", url=***]";
  }
}

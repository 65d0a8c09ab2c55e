package io.vigil.config;

import io.vigil.model.Severity;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads the {@code notify:} section: named notifiers, each {@code type}, {@code url} and the
 * delivery keys. URLs are never quoted back in a problem (a webhook URL carries its token): a bad
 * one is described, not shown.
 */
final class NotifyReader {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
  static final int MAX_QUEUE = 10_000;

  private NotifyReader() {}

  static List<NotifierConfig> notifiers(ConfigNode n) {
    List<NotifierConfig> out = new ArrayList<>();
    for (String name : n.keys()) {
      ConfigNode c = n.child(name);
      if (!NAME.matcher(name).matches()) {
        n.problem(name, "notifier names use letters, digits, '_', '.', '-' (at most 63)");
      }
      String typeKey = c.requiredString("type");
      Optional<NotifierType> type = typeKey == null ? Optional.empty() : NotifierType.of(typeKey);
      if (typeKey != null && type.isEmpty()) {
        c.problem("type", "\"" + typeKey + "\" is not one of " + String.join(", ", NotifierType.keys()));
      }
      URI url = url(c);
      String secret = c.string("secret", null);
      if (secret != null && secret.isBlank()) {
        secret = null; // ${HMAC_SECRET:-} left empty: unsigned, as if not written
      }
      if (secret != null && type.isPresent() && type.get() != NotifierType.WEBHOOK) {
        c.problem("secret", "only a webhook notifier signs its body; " + type.get().key() + " takes no secret");
      }
      List<String> checks = c.stringList("checks");
      List<String> severities = Arrays.stream(Severity.values()).map(Severity::label).toList();
      Severity min = Severity.valueOf(c.oneOf("min-severity", Severity.WARNING.label(), severities)
          .toUpperCase(java.util.Locale.ROOT));
      boolean resolved = c.bool("send-resolved", true);
      Duration repeat = c.duration("repeat-interval", type.map(NotifierType::defaultRepeat).orElse(Duration.ofHours(4)));
      Duration wait = c.duration("group-wait", NotifierConfig.DEFAULT_GROUP_WAIT, true);
      Duration timeout = c.duration("timeout", NotifierConfig.DEFAULT_TIMEOUT);
      int queue = c.integer("queue-size", NotifierConfig.DEFAULT_QUEUE, 1, MAX_QUEUE);
      Duration retryFor = c.duration("retry-for", NotifierConfig.DEFAULT_RETRY_FOR, true);
      if (type.orElse(null) == NotifierType.ALERTMANAGER && repeat.compareTo(Duration.ofMinutes(15)) > 0) {
        c.problem("repeat-interval", "must be at most 15m for alertmanager, which ends an alert that is not re-posted"
            + " (was " + Durations.format(repeat) + ")");
      }
      c.finish();
      if (type.isPresent() && url != null) {
        out.add(new NotifierConfig(name, type.get(), url, secret, checks, min, resolved, repeat, wait, timeout, queue,
            retryFor));
      }
    }
    n.finish();
    return out;
  }

  /** Problems for notifiers naming checks that do not exist. */
  static void validateChecks(List<NotifierConfig> notifiers, List<String> declared, Problems problems) {
    for (NotifierConfig n : notifiers) {
      if (n.checks() == null) {
        continue;
      }
      for (String check : n.checks()) {
        if (!declared.contains(check)) {
          problems.add("notify." + n.name() + ".checks", "unknown check \"" + check + "\"");
        }
      }
    }
  }

  /** The URLs and secrets of the notifiers in a raw config tree, valid or not: masked in every problem. */
  static List<String> secretsIn(Object root) {
    List<String> out = new ArrayList<>();
    if (root instanceof Map<?, ?> top && top.get("notify") instanceof Map<?, ?> notify) {
      notify.values().forEach(v -> {
        if (v instanceof Map<?, ?> notifier && notifier.get("url") != null) {
          String url = String.valueOf(notifier.get("url"));
          out.add(url);
          int path = url.indexOf('/', url.indexOf("://") + 3);
          if (url.contains("://") && path > 0 && url.length() - path > 8) {
            out.add(url.substring(path));
          }
        }
      });
    }
    return out;
  }

  private static URI url(ConfigNode c) {
    String text = c.requiredString("url");
    if (text == null) {
      return null;
    }
    URI url;
    try {
      url = URI.create(text.trim());
    } catch (IllegalArgumentException e) {
      c.problem("url", "is not a valid URL (the value is a secret and not shown)");
      return null;
    }
    if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
      c.problem("url", "must be an http:// or https:// URL with a host (the value is a secret and not shown)");
      return null;
    }
    if (url.getPort() == 0 || url.getPort() > 65535) {
      c.problem("url", "port must be 1-65535 (was " + url.getPort() + ")");
      return null;
    }
    return url;
  }
}

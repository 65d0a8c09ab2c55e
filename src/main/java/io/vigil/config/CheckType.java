package io.vigil.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The one table of check types: the config validator, the factory and the README all read it.
 * Adding a type is its settings record and one row here, then its probe class behind
 * {@code io.vigil.check.Check} and one case in {@code io.vigil.check.Checks} (an exhaustive switch:
 * the compiler refuses a type without a probe).
 */
public enum CheckType {
  HTTP("http", "request a URL over keep-alive connections that the http checks of the same options share (one request in flight per check; a timed-out one closes its connection); assert status, a JSON field, a body substring, latency, TLS certificate days",
      HttpSettings::parse),
  TCP("tcp", "connect; optionally send bytes and expect a substring back",
      TcpSettings::parse),
  REDIS("redis", "PING through the pooled client; assert role, writes accepted (SET with expiry), INFO fields",
      RedisSettings::parse),
  POSTGRES("postgres", "SELECT 1 on a small pool; assert primary/replica via pg_is_in_recovery(); report pool use",
      PostgresSettings::parse);

  /** Reads a type's settings from its config node, reporting problems with their paths. */
  public interface SettingsParser {
    CheckSettings parse(ConfigNode node);
  }

  private final String key;
  private final String description;
  private final SettingsParser parser;

  CheckType(String key, String description, SettingsParser parser) {
    this.key = key;
    this.description = description;
    this.parser = parser;
  }

  /** The name written in YAML, e.g. {@code redis}. */
  public String key() {
    return key;
  }

  public String description() {
    return description;
  }

  public CheckSettings parseSettings(ConfigNode node) {
    return parser.parse(node);
  }

  /** The type written {@code key}, in any case ({@code HTTP}), matched under {@link Locale#ROOT}. */
  public static Optional<CheckType> of(String key) {
    String wanted = key.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(t -> t.key.equals(wanted)).findFirst();
  }

  public static List<String> keys() {
    return Arrays.stream(values()).map(CheckType::key).toList();
  }
}

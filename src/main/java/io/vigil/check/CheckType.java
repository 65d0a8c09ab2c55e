package io.vigil.check;

import io.vertx.core.Vertx;
import io.vigil.config.CheckConfig;
import io.vigil.config.CheckSettings;
import io.vigil.config.ConfigNode;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The one table of check types: the config validator, the factory and the README all read it.
 * Adding a type is a class behind {@link Check}, its settings record, and one row here.
 */
public enum CheckType {
  HTTP("http", "request a URL with a keep-alive WebClient; assert status, a JSON field, a body substring, latency, TLS certificate days",
      HttpSettings::parse, (vertx, c) -> new HttpCheck(vertx, c)),
  TCP("tcp", "connect; optionally send bytes and expect a substring back",
      TcpSettings::parse, (vertx, c) -> new TcpCheck(vertx, c)),
  REDIS("redis", "PING through the pooled client; assert role, writes accepted (SET with expiry), INFO fields",
      RedisSettings::parse, (vertx, c) -> new RedisCheck(vertx, c)),
  POSTGRES("postgres", "SELECT 1 on a small pool; assert primary/replica via pg_is_in_recovery(); report pool use",
      PostgresSettings::parse, (vertx, c) -> new PostgresCheck(vertx, c));

  /** Reads a type's settings from its config node, reporting problems with their paths. */
  public interface SettingsParser {
    CheckSettings parse(ConfigNode node);
  }

  /** Builds a check from its validated config. */
  public interface Factory {
    Check create(Vertx vertx, CheckConfig config);
  }

  private final String key;
  private final String description;
  private final SettingsParser parser;
  private final Factory factory;

  CheckType(String key, String description, SettingsParser parser, Factory factory) {
    this.key = key;
    this.description = description;
    this.parser = parser;
    this.factory = factory;
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

  public Check create(Vertx vertx, CheckConfig config) {
    return factory.create(vertx, config);
  }

  public static Optional<CheckType> of(String key) {
    return Arrays.stream(values()).filter(t -> t.key.equals(key)).findFirst();
  }

  public static List<String> keys() {
    return Arrays.stream(values()).map(CheckType::key).toList();
  }
}

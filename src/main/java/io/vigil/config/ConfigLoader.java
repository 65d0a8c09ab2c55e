package io.vigil.config;

import io.vigil.model.CheckOptions;
import io.vigil.model.LatencyHistogram;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads the one YAML file into a validated {@link VigilConfig}: environment substitution, types,
 * unknown keys, ranges and the {@code depends-on} graph. Every problem is collected and thrown
 * once as a {@link ConfigException}, each naming its path.
 */
public final class ConfigLoader {
  /** Shorter bearer tokens can be guessed by anyone who can reach the port. */
  static final int MIN_TOKEN_LENGTH = 16;
  /** More consecutive results than any operator waits for; keeps counters far from overflow. */
  static final int MAX_THRESHOLD = 1000;
  /**
   * The largest config file read; SnakeYAML's own limit (3 Mi code points by default) is raised to
   * match, so that 50,000 checks (about 3 MB) fit.
   */
  static final int MAX_FILE_BYTES = 4 * 1024 * 1024;
  /** Each bucket is a series per histogram; Prometheus' own client libraries default to 11-15. */
  static final int MAX_BUCKETS = 30;
  private static final Pattern CHECK_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
  private final Map<String, String> env;

  public ConfigLoader(Map<String, String> env) {
    this.env = env;
  }

  /** Loads and validates a file. */
  public VigilConfig load(Path file) {
    String text;
    try {
      text = BoundedText.read(file, MAX_FILE_BYTES);
    } catch (NoSuchFileException e) {
      throw new ConfigException(List.of(file + ": no such file"));
    } catch (BoundedText.TooLarge e) {
      throw new ConfigException(List.of(file + ": is larger than " + MAX_FILE_BYTES / (1024 * 1024) + " MiB; is it the config?"));
    } catch (CharacterCodingException e) {
      throw new ConfigException(List.of(file + ": is not UTF-8 text; is it the config?"));
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(List.of(file + ": cannot be read (" + e.getMessage() + ")"));
    }
    return parse(text, file.toString());
  }

  /** Parses and validates YAML text; {@code source} names it in messages about the file as a whole. */
  public VigilConfig parse(String text, String source) {
    Object root = readYaml(text, source);
    Problems problems = new Problems();
    EnvSubstitution substitution = new EnvSubstitution(env);
    root = substitute(root, "", substitution, problems);
    // Problems may quote values; any secret in the file or the environment is masked in them.
    List<String> secretValues = new ArrayList<>(SecretValues.in(root));
    secretValues.addAll(substitution.secrets());
    secretValues.addAll(NotifyReader.secretsIn(root));
    Secrets secrets = new Secrets(secretValues);
    ConfigNode node = ConfigNode.of("", root, problems);
    ServerConfig server = server(node.child("server"));
    List<String> readiness = readiness(node.child("probes"));
    ConfigNode checksNode = node.child("checks");
    List<CheckConfig> checks = checks(checksNode);
    LatencyHistogram histogram = latencyHistogram(node.child("metrics"));
    ClusterConfig cluster = cluster(node.child("cluster"));
    BridgeConfig bridge = bridge(node.child("bridge"), server, cluster);
    List<NotifierConfig> notifiers = NotifyReader.notifiers(node.child("notify"));
    MaintenanceConfig maintenance = MaintenanceReader.maintenance(node.child("maintenance"));
    node.finish();
    List<String> declared = checksNode.keys().stream().filter(k -> !k.equals("defaults")).toList();
    validateReferences(checks, declared, readiness, problems);
    NotifyReader.validateChecks(notifiers, declared, problems);
    MaintenanceReader.validateChecks(maintenance, declared, problems);
    problems.throwIfAny(secrets);
    return new VigilConfig(server, readiness, checks, histogram, cluster, bridge, notifiers, maintenance);
  }

  private static boolean isHost(String host) {
    return !host.isBlank() && host.chars().noneMatch(c -> c <= ' ');
  }

  /** {@code cluster: { enabled, name, host, port, bus-port, members, failure-detection }}. */
  private static ClusterConfig cluster(ConfigNode n) {
    ClusterConfig d = ClusterConfig.DISABLED;
    boolean enabled = n.bool("enabled", false);
    String name = n.string("name", d.name());
    if (!CHECK_NAME.matcher(name).matches()) {
      n.problem("name", "must use letters, digits, '_', '.', '-' (at most 63; was \"" + name + "\")");
    }
    String host = n.string("host", d.host());
    if (!isHost(host)) {
      n.problem("host", "must be the address this member listens on, with no spaces (was \"" + host + "\")");
    }
    int port = n.integer("port", d.port(), 1, 65535);
    int busPort = n.integer("bus-port", d.busPort(), 0, 65535);
    if (busPort == port && !n.problems().has(n.pathOf("port"))) {
      n.problem("bus-port", "must differ from cluster.port (both " + port + "); 0 lets Vert.x pick one");
    }
    List<String> members = n.stringList("members");
    members = members == null ? List.of() : members;
    for (int i = 0; i < members.size(); i++) {
      String m = members.get(i);
      boolean hostPort = m.matches("[^\\s:]+:\\d{1,5}") && Integer.parseInt(m.substring(m.lastIndexOf(':') + 1)) <= 65535;
      if (!hostPort) {
        n.problem("members[" + i + "]", "must be host:port, e.g. 10.0.0.2:5701 (was \"" + m + "\")");
      }
    }
    Duration detection = n.duration("failure-detection", d.failureDetection());
    if (detection.compareTo(Duration.ofSeconds(1)) < 0 || detection.compareTo(Duration.ofMinutes(5)) > 0) {
      n.problem("failure-detection", "must be between 1s and 5m (was " + Durations.format(detection) + ")");
    }
    n.finish();
    return new ClusterConfig(enabled, name, host, port, busPort, members, detection);
  }

  /**
   * {@code bridge: { enabled, host, port }}. An enabled bridge's port must be none of Vigil's other
   * ports: Vert.x shares one listening socket between its servers on the same port, so the bridge
   * and HTTP would take turns answering each other's clients; Hazelcast's port would fail at start.
   */
  private static BridgeConfig bridge(ConfigNode n, ServerConfig server, ClusterConfig cluster) {
    BridgeConfig d = BridgeConfig.DISABLED;
    boolean enabled = n.bool("enabled", d.enabled());
    String host = n.string("host", d.host());
    if (!isHost(host)) {
      n.problem("host", "must be the address the bridge listens on, with no spaces (was \"" + host + "\")");
    }
    int port = n.integer("port", d.port(), 1, 65535);
    n.finish();
    if (enabled && !n.problems().has(n.pathOf("port"))) {
      if (port == server.port()) {
        n.problem("port", "must differ from server.port (both " + port + ")");
      } else if (server.serving().managementPort().orElse(0) == port) {
        n.problem("port", "must differ from server.management-port (both " + port + ")");
      } else if (cluster.enabled() && cluster.port() == port) {
        n.problem("port", "must differ from cluster.port (both " + port + ")");
      }
    }
    return new BridgeConfig(enabled, host, port);
  }

  /** {@code metrics: { latency-histogram: { scope, buckets } }}. */
  private static LatencyHistogram latencyHistogram(ConfigNode metrics) {
    ConfigNode n = metrics.child("latency-histogram");
    List<String> scopes = Arrays.stream(LatencyHistogram.Scope.values()).map(LatencyHistogram.Scope::label).toList();
    String scope = n.oneOf("scope", LatencyHistogram.DEFAULT.scope().label(), scopes);
    List<Duration> buckets = n.durationList("buckets", MAX_BUCKETS);
    n.finish();
    metrics.finish();
    if (buckets == null) {
      buckets = LatencyHistogram.DEFAULT_BUCKETS;
    } else if (buckets.isEmpty()) {
      n.problem("buckets", "must name at least one bound (or set scope: off)");
      buckets = LatencyHistogram.DEFAULT_BUCKETS;
    } else {
      for (int i = 1; i < buckets.size(); i++) {
        if (buckets.get(i).compareTo(buckets.get(i - 1)) <= 0) {
          n.problem("buckets", "must be in ascending order, each bound once (" + Durations.format(buckets.get(i))
              + " comes after " + Durations.format(buckets.get(i - 1)) + ")");
          buckets = LatencyHistogram.DEFAULT_BUCKETS;
          break;
        }
      }
    }
    return new LatencyHistogram(LatencyHistogram.Scope.ofLabel(scope), buckets);
  }

  private static Object readYaml(String text, String source) {
    if (text.isBlank()) {
      throw new ConfigException(List.of(source + ": is empty; see conf/vigil.yaml for an example"));
    }
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(20);
    options.setCodePointLimit(MAX_FILE_BYTES);
    try {
      Object root = new Yaml(new SafeConstructor(options)).load(text);
      if (root == null) {
        throw new ConfigException(List.of(source + ": is empty; see conf/vigil.yaml for an example"));
      }
      if (!(root instanceof Map)) {
        throw new ConfigException(List.of(source + ": must be a YAML mapping with server, probes and checks"));
      }
      return root;
    } catch (MarkedYAMLException e) {
      String where = e.getProblemMark() == null ? "" : " at line " + (e.getProblemMark().getLine() + 1)
          + ", column " + (e.getProblemMark().getColumn() + 1);
      throw new ConfigException(List.of(source + ": not valid YAML" + where + ": " + e.getProblem()));
    } catch (YAMLException e) {
      throw new ConfigException(List.of(source + ": not valid YAML: " + e.getMessage()));
    }
  }

  /** Applies ${VAR} substitution to every string scalar, keeping each one's path for messages. */
  private static Object substitute(Object value, String path, EnvSubstitution env, Problems problems) {
    if (value instanceof String s) {
      return env.apply(s, path.isEmpty() ? "(root)" : path, problems);
    }
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(k, substitute(v, path.isEmpty() ? String.valueOf(k) : path + "." + k, env, problems)));
      return out;
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        out.add(substitute(list.get(i), path + "[" + i + "]", env, problems));
      }
      return out;
    }
    return value;
  }

  private static ServerConfig server(ConfigNode n) {
    ServerConfig d = ServerConfig.DEFAULTS;
    String host = n.string("host", d.host());
    if (!isHost(host)) {
      n.problem("host", "must be an address or host name with no spaces (was \"" + host + "\")");
    }
    int port = n.integer("port", d.port(), 0, 65535);
    String details = n.oneOf("details", "always", List.of("always", "authorized", "never"));
    String token = n.string("token", "");
    ConfigNode shutdown = n.child("shutdown");
    Duration drain = shutdown.duration("drain-delay", d.drainDelay(), true);
    Duration timeout = shutdown.duration("timeout", d.shutdownTimeout());
    shutdown.finish();
    if (timeout.compareTo(drain) <= 0) {
      n.problems().add(shutdown.pathOf("timeout"), "must be longer than drain-delay ("
          + Durations.format(drain) + "), as it bounds the whole shutdown, drain included (was "
          + Durations.format(timeout) + ")");
    }
    if ("authorized".equals(details)) {
      tokenProblem(token).ifPresent(p -> n.problem("token", p));
    }
    ServingOptions serving = ServingOptions.parse(n, port);
    n.finish();
    return new ServerConfig(host, Math.min(port, 65535), Details.valueOf(details.toUpperCase(Locale.ROOT)), token, drain, timeout,
        serving);
  }

  /**
   * What is wrong with a bearer token, never quoting it: it must be long enough not to be guessed,
   * and sendable as {@code Authorization: Bearer <token>} (visible ASCII, no spaces).
   */
  private static Optional<String> tokenProblem(String token) {
    if (token.isBlank()) {
      return Optional.of("is required when details is \"authorized\"");
    }
    if (token.length() < MIN_TOKEN_LENGTH) {
      return Optional.of("must be at least " + MIN_TOKEN_LENGTH + " characters when details is \"authorized\" (was "
          + token.length() + "); e.g. openssl rand -hex 32");
    }
    if (token.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
      return Optional.of("must be visible ASCII with no spaces, as it is sent in an Authorization header");
    }
    return Optional.empty();
  }

  private static List<String> readiness(ConfigNode probes) {
    ConfigNode readiness = probes.child("readiness");
    List<String> checks = readiness.stringList("checks");
    readiness.finish();
    probes.finish();
    return checks;
  }

  private static List<CheckConfig> checks(ConfigNode n) {
    ConfigNode defaultsNode = n.child("defaults");
    CheckOptions defaults = options(defaultsNode, CheckOptions.DEFAULTS, true, true);
    // A bad default is reported once, not again in every check that inherits it.
    boolean defaultsValid = timingValid(defaultsNode);
    List<CheckConfig> out = new ArrayList<>();
    for (String name : n.keys()) {
      if (name.equals("defaults")) {
        continue;
      }
      ConfigNode c = n.child(name);
      if (!CHECK_NAME.matcher(name).matches()) {
        n.problem(name, "check names use letters, digits, '_', '.', '-' (at most 63)");
      }
      String typeKey = c.requiredString("type");
      Optional<CheckType> type = Optional.empty();
      if (typeKey != null) {
        type = CheckType.of(typeKey);
        if (type.isEmpty()) {
          c.problem("type", "\"" + typeKey + "\" is not one of " + String.join(", ", CheckType.keys()));
        }
      }
      CheckOptions options = options(c, defaults, false, defaultsValid);
      if (type.isPresent()) {
        CheckSettings settings = type.get().parseSettings(c);
        c.finish();
        out.add(new CheckConfig(name, type.get().key(), options, settings));
      }
    }
    n.finish();
    return out;
  }

  /** The common keys every check type has; {@code base} supplies what is not written. */
  private static boolean timingValid(ConfigNode c) {
    return !c.problems().has(c.pathOf("interval")) && !c.problems().has(c.pathOf("timeout"))
        && !c.problems().has(c.pathOf("max-age"));
  }

  private static CheckOptions options(ConfigNode c, CheckOptions base, boolean isDefaults, boolean baseValid) {
    Duration interval = c.duration("interval", base.interval());
    Duration timeout = c.duration("timeout", base.timeout());
    int failures = c.integer("failure-threshold", base.failureThreshold(), 1, MAX_THRESHOLD);
    int successes = c.integer("success-threshold", base.successThreshold(), 1, MAX_THRESHOLD);
    boolean critical = c.bool("critical", base.critical());
    Duration maxAge = c.duration("max-age", base.maxAge());
    List<String> deps = isDefaults ? List.of() : c.stringList("depends-on");
    boolean compare = baseValid && timingValid(c);
    if (compare && timeout.compareTo(interval) > 0) {
      c.problem("timeout", "must not exceed interval (" + Durations.format(interval) + "), or probes would overlap (was "
          + Durations.format(timeout) + ")");
    }
    CheckOptions options = new CheckOptions(interval, timeout, failures, successes, critical, maxAge, deps);
    if (compare && maxAge != null && maxAge.compareTo(options.longestResultGap()) <= 0) {
      c.problem("max-age", "must be longer than interval + timeout + jitter (" + Durations.format(interval) + " + "
          + Durations.format(timeout) + " + " + Durations.format(options.maxJitter()) + " = "
          + Durations.format(options.longestResultGap()) + "), or a healthy check would read stale between two results (was "
          + Durations.format(maxAge) + ")");
    }
    if (isDefaults) {
      c.finish();
    }
    return options;
  }

  private static void validateReferences(List<CheckConfig> checks, List<String> declared,
      List<String> readiness, Problems problems) {
    Map<String, List<String>> graph = new LinkedHashMap<>();
    declared.forEach(name -> graph.put(name, List.of()));
    checks.forEach(c -> graph.put(c.name(), c.options().dependsOn()));
    for (CheckConfig c : checks) {
      for (String dep : c.options().dependsOn()) {
        if (dep.equals(c.name())) {
          problems.add("checks." + c.name() + ".depends-on", "a check cannot depend on itself");
        } else if (!graph.containsKey(dep)) {
          problems.add("checks." + c.name() + ".depends-on", "unknown check \"" + dep + "\"");
        }
      }
    }
    DependencyCycles.find(graph).ifPresent(cycle ->
        problems.add("checks", "depends-on has a cycle: " + String.join(" -> ", cycle)));
    if (readiness != null) {
      for (String name : readiness) {
        if (!graph.containsKey(name)) {
          problems.add("probes.readiness.checks", "unknown check \"" + name + "\"");
        }
      }
    }
  }
}

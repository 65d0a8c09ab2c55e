package io.vigil.stack;

import static io.vigil.stack.ComposeFile.map;
import static io.vigil.stack.ComposeFile.names;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.config.HttpSettings;
import io.vigil.config.PostgresSettings;
import io.vigil.config.RedisSettings;
import io.vigil.config.CheckConfig;
import io.vigil.config.ConfigLoader;
import io.vigil.config.VigilConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The promises of {@code docker-compose.production.yml}, checked on the parsed YAML. */
class ComposeFileTest {
  static final Path COMPOSE = Path.of("docker-compose.production.yml");
  static final Path ENV_TEMPLATE = Path.of(".env.production.example");
  static final Set<String> SERVICES = Set.of("api", "worker", "vigil", "redis", "postgres", "nginx");
  /** Started only with {@code --profile monitoring}. */
  static final Set<String> MONITORING = Set.of("prometheus", "alertmanager", "grafana");
  static final Set<String> ALL = union(SERVICES, MONITORING);
  static final Pattern SECRET_NAME = Pattern.compile("(?i).*(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY)");
  static final Pattern URI_PASSWORD = Pattern.compile("://[^/@\\s:]*:([^@\\s]+)@");
  static final Pattern PINNED = Pattern.compile("[\\w./-]+:(?!latest$)[\\w.-]*\\d[\\w.-]*");

  final ComposeFile compose = ComposeFile.read(COMPOSE);
  final Map<String, String> template = ComposeFile.readEnvFile(ENV_TEMPLATE);

  @Test
  void definesTheSixServicesAndTheMonitoringProfileOffByDefault() {
    assertEquals(ALL, compose.services().keySet());
    for (String name : ALL) {
      Object profiles = compose.service(name).get("profiles");
      assertEquals(MONITORING.contains(name) ? List.of("monitoring") : null, profiles, name + ": profiles");
    }
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> out = new TreeSet<>(a);
    out.addAll(b);
    return Set.copyOf(out);
  }

  @Test
  void everyServiceHasCpuAndMemoryLimitsAboveItsReservations() {
    for (String name : ALL) {
      Map<String, Object> resources = map(map(compose.service(name).get("deploy")).get("resources"));
      Map<String, Object> limits = map(resources.get("limits"));
      Map<String, Object> reservations = map(resources.get("reservations"));
      double cpuLimit = Double.parseDouble(String.valueOf(limits.get("cpus")));
      double cpuReserved = Double.parseDouble(String.valueOf(reservations.get("cpus")));
      assertTrue(cpuReserved > 0 && cpuReserved <= cpuLimit, name + ": cpus " + cpuReserved + " / " + cpuLimit);
      long memLimit = ComposeFile.bytes(limits.get("memory"));
      long memReserved = ComposeFile.bytes(reservations.get("memory"));
      assertTrue(memReserved > 0 && memReserved <= memLimit, name + ": memory " + memReserved + " / " + memLimit);
    }
  }

  @Test
  void everyServiceHasAHealthCheckWithIntervalTimeoutRetriesAndStartPeriod() {
    for (String name : ALL) {
      Map<String, Object> hc = map(compose.service(name).get("healthcheck"));
      List<String> test = names(hc.get("test"));
      assertTrue(Set.of("CMD", "CMD-SHELL").contains(test.get(0)) && test.size() > 1, name + ": test " + test);
      Duration interval = ComposeFile.duration(hc.get("interval"));
      Duration timeout = ComposeFile.duration(hc.get("timeout"));
      assertTrue(timeout.compareTo(interval) < 0, name + ": timeout " + timeout + " must be shorter than interval " + interval);
      assertTrue(ComposeFile.duration(hc.get("start_period")).toSeconds() > 0, name + ": start_period");
      assertTrue(((Number) hc.get("retries")).intValue() >= 2, name + ": retries " + hc.get("retries"));
    }
  }

  @Test
  void servicesStartOnlyWhenWhatTheyNeedIsHealthy() {
    Map<String, List<String>> expected = Map.of(
        "api", List.of("redis", "postgres"), "worker", List.of("redis"), "vigil", List.of("redis", "postgres"),
        "nginx", List.of("api", "worker", "vigil"), "prometheus", List.of("alertmanager"), "grafana", List.of("prometheus"));
    Map<String, List<String>> actual = new HashMap<>();
    for (String name : ALL) {
      Object dependsOn = compose.service(name).get("depends_on");
      if (dependsOn == null) {
        continue;
      }
      map(dependsOn).forEach((dep, spec) -> {
        assertEquals("service_healthy", map(spec).get("condition"), name + " -> " + dep);
        assertTrue(compose.service(dep).containsKey("healthcheck"), dep + " has a health check to wait for");
      });
      actual.put(name, names(dependsOn));
    }
    assertEquals(expected, actual);
  }

  @Test
  void everyServiceRestartsAndRotatesItsJsonLogs() {
    for (String name : ALL) {
      Map<String, Object> s = compose.service(name);
      assertTrue(Set.of("always", "unless-stopped").contains(s.get("restart")) || String.valueOf(s.get("restart")).startsWith("on-failure"),
          name + ": restart " + s.get("restart"));
      Map<String, Object> logging = map(s.get("logging"));
      assertEquals("json-file", logging.get("driver"), name);
      Map<String, Object> options = map(logging.get("options"));
      assertTrue(ComposeFile.bytes(options.get("max-size")) > 0, name + ": max-size");
      assertTrue(Integer.parseInt(String.valueOf(options.get("max-file"))) > 1, name + ": max-file");
    }
  }

  @Test
  void servicesSitOnAnIsolatedBridgeSubnetAndTheDataStoresOnAnInternalOne() {
    Map<String, Object> networks = map(compose.root().get("networks"));
    Map<String, Object> frontend = map(networks.get("frontend"));
    Map<String, Object> data = map(networks.get("data"));
    for (Map<String, Object> n : List.of(frontend, data)) {
      assertEquals("bridge", n.get("driver"));
      List<?> ipam = (List<?>) map(n.get("ipam")).get("config");
      String subnet = ComposeFile.interpolate(String.valueOf(map(ipam.get(0)).get("subnet")), template);
      assertTrue(subnet.matches("(10|172|192)\\.\\d+\\.\\d+\\.\\d+/\\d+"), "private subnet: " + subnet);
    }
    assertEquals(Boolean.TRUE, data.get("internal"), "the data network has no route outside");
    for (String name : ALL) {
      List<String> joined = names(compose.service(name).get("networks"));
      assertFalse(joined.isEmpty(), name + " names its networks");
      assertTrue(networks.keySet().containsAll(joined), name + ": " + joined);
    }
    assertEquals(List.of("data"), names(compose.service("redis").get("networks")), "Redis is not on the frontend");
    assertEquals(List.of("data"), names(compose.service("postgres").get("networks")), "PostgreSQL is not on the frontend");
    assertEquals(List.of("frontend"), names(compose.service("nginx").get("networks")), "nginx never reaches the data stores");
    assertTrue(compose.service("nginx").containsKey("ports"), "nginx publishes the ports");
    for (String name : List.of("api", "worker", "vigil", "redis", "postgres", "prometheus", "alertmanager")) {
      assertFalse(compose.service(name).containsKey("ports"), name + " publishes no port; only nginx does");
    }
    assertTrue(publishesOnLoopbackOnly(compose.service("grafana")), "Grafana is published on the host's loopback only: "
        + compose.service("grafana").get("ports"));
  }

  /** Every port of {@code service} is published as {@code 127.0.0.1:host:container}. */
  static boolean publishesOnLoopbackOnly(Map<String, Object> service) {
    List<String> ports = names(service.get("ports"));
    return !ports.isEmpty() && ports.stream().allMatch(p -> p.startsWith("127.0.0.1:"));
  }

  @Test
  void stateLivesInNamedVolumes() {
    Set<String> declared = map(compose.root().get("volumes")).keySet();
    assertEquals(Set.of("postgres-data", "redis-data", "nginx-cache", "prometheus-data", "alertmanager-data"), declared);
    assertTrue(names(compose.service("prometheus").get("volumes")).contains("prometheus-data:/prometheus"));
    assertTrue(names(compose.service("alertmanager").get("volumes")).contains("alertmanager-data:/alertmanager"));
    assertTrue(names(compose.service("postgres").get("volumes")).contains("postgres-data:/var/lib/postgresql/data"));
    assertTrue(names(compose.service("redis").get("volumes")).contains("redis-data:/data"));
    assertTrue(names(compose.service("nginx").get("volumes")).contains("nginx-cache:/var/cache/nginx"));
  }

  @Test
  void everyImageTagIsPinned() {
    for (String name : ALL) {
      String image = ComposeFile.interpolate(String.valueOf(compose.service(name).get("image")), template);
      assertTrue(PINNED.matcher(image).matches(), name + ": image " + image + " is not pinned");
    }
  }

  @Test
  void noLiteralSecretAnywhere() {
    List<String> literals = new ArrayList<>();
    ComposeFile.walk(compose.root(), "", (path, text) -> {
      String key = path.substring(path.lastIndexOf('.') + 1);
      boolean reference = text.matches("\\$\\{\\w+}") || text.startsWith("/run/secrets/");
      if (SECRET_NAME.matcher(key).matches() && !reference) {
        literals.add(path + "=" + text);
      }
      Matcher uri = URI_PASSWORD.matcher(text);
      while (uri.find()) {
        if (!uri.group(1).matches("\\$\\{\\w+}")) {
          literals.add(path + " has a password in a URI");
        }
      }
    });
    List<String> command = names(compose.service("redis").get("command"));
    assertTrue(command.get(command.indexOf("--requirepass") + 1).matches("\\$\\{\\w+}"), "Redis password from the environment");
    assertEquals(List.of(), literals);
    // The template names the secrets but holds only placeholders.
    template.forEach((k, v) -> {
      if (SECRET_NAME.matcher(k).matches()) {
        assertTrue(v.startsWith("change-me"), ENV_TEMPLATE + ": " + k + " must be a placeholder (change-me...), was " + v);
      }
    });
    assertTrue(String.valueOf(map(map(compose.root().get("secrets")).get("postgres_password")).get("file")).contains("${"),
        "the PostgreSQL password is a Docker secret read from a file");
  }

  @Test
  void theEnvironmentTemplateDocumentsEveryVariableTheStackReads() throws IOException {
    Set<String> read = new TreeSet<>(compose.variables());
    read.remove("PWD"); // set by the shell that runs docker compose
    Set<String> missing = new TreeSet<>(read);
    missing.removeAll(template.keySet());
    assertEquals(Set.of(), missing, ENV_TEMPLATE + " lacks variables the compose file reads");
    List<String> lines = Files.readAllLines(ENV_TEMPLATE);
    for (String key : template.keySet()) {
      int at = lines.indexOf(lines.stream().filter(l -> l.startsWith(key + "=")).findFirst().orElseThrow());
      boolean commented = lines.subList(Math.max(0, at - 3), at).stream().anyMatch(l -> l.startsWith("#"));
      assertTrue(commented, ENV_TEMPLATE + ": " + key + " has no comment above it");
    }
    // nginx's templates read only what the nginx service sets.
    Set<String> unset = templateVariables(NginxUnderTest.templates(Map.of()));
    unset.removeAll(compose.environment("nginx", template).keySet());
    assertEquals(Set.of(), unset, "variables the nginx templates read but compose does not set");
  }

  /** Every {@code ${VAR}} that {@code templates} read. */
  static Set<String> templateVariables(List<Path> templates) throws IOException {
    Set<String> names = new TreeSet<>();
    for (Path t : templates) {
      Matcher m = ComposeFile.VARIABLE.matcher(Files.readString(t));
      while (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  @Test
  void vigilGracePeriodOutlastsItsDrainDelayPlusShutdownTimeout(@TempDir Path dir) throws IOException {
    VigilConfig config = vigilConfigUnderCompose(dir);
    Duration grace = ComposeFile.duration(compose.service("vigil").get("stop_grace_period"));
    Duration needed = config.server().drainDelay().plus(config.server().shutdownTimeout());
    assertEquals(Duration.ofSeconds(25), needed, "conf/vigil.yaml with the template's values");
    assertTrue(grace.compareTo(needed) > 0, "stop_grace_period " + grace + " must exceed " + needed);
    assertEquals("SIGTERM", compose.service("vigil").getOrDefault("stop_signal", "SIGTERM"));
  }

  @Test
  void vigilWatchesTheOtherFiveServicesThroughItsEnvironment(@TempDir Path dir) throws IOException {
    VigilConfig config = vigilConfigUnderCompose(dir);
    Map<String, String> hosts = new LinkedHashMap<>();
    for (CheckConfig c : config.checks()) {
      String host = "?";
      if (c.settings() instanceof HttpSettings h) {
        host = h.url().getHost();
      } else if (c.settings() instanceof RedisSettings r) {
        host = URI.create(r.uri()).getHost();
      } else if (c.settings() instanceof PostgresSettings p) {
        host = URI.create(p.uri()).getHost();
      }
      hosts.put(c.name(), host);
    }
    assertEquals(Map.of("api", "api", "worker", "worker", "redis", "redis", "postgres", "postgres", "nginx", "nginx"), hosts);
    assertEquals(Set.of("redis", "postgres"), Set.copyOf(names(compose.service("vigil").get("depends_on"))));
  }

  @Test
  void theDefaultStackRunsOneMonitorNotACluster(@TempDir Path dir) throws IOException {
    assertFalse(vigilConfigUnderCompose(dir).cluster().enabled(), "conf/vigil.yaml's cluster section is off by default");
    assertFalse(compose.environment("vigil", template).keySet().stream().anyMatch(k -> k.startsWith("VIGIL_CLUSTER_")));
  }

  private VigilConfig vigilConfigUnderCompose(Path dir) throws IOException {
    return vigilConfig(compose, "vigil", template, dir);
  }

  /** conf/vigil.yaml loaded with {@code service}'s environment, as its container would see it. */
  static VigilConfig vigilConfig(ComposeFile compose, String service, Map<String, String> template, Path dir)
      throws IOException {
    Map<String, String> env = new HashMap<>(compose.environment(service, template));
    Path secret = dir.resolve("postgres_password");
    Files.writeString(secret, "s3cret");
    env.replaceAll((k, v) -> v.startsWith("/run/secrets/") ? secret.toString() : v);
    return new ConfigLoader(env).load(Path.of("conf/vigil.yaml"));
  }
}

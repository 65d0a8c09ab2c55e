package io.vigil.stack;

import static io.vigil.stack.ComposeFile.map;
import static io.vigil.stack.ComposeFile.names;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.config.ClusterConfig;
import io.vigil.config.VigilConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promises of {@code docker-compose.cluster.yml}, checked on the production file with the
 * override merged in as {@code docker compose -f docker-compose.production.yml -f
 * docker-compose.cluster.yml} merges them.
 */
class ComposeClusterFileTest {
  static final Path OVERRIDE = Path.of("docker-compose.cluster.yml");
  static final List<String> MEMBERS = List.of("vigil", "vigil-2");
  static final String CLUSTER_VARIABLES = "VIGIL_CLUSTER_";

  final ComposeFile base = ComposeFile.read(ComposeFileTest.COMPOSE);
  final ComposeFile override = ComposeFile.read(OVERRIDE);
  final ComposeFile merged = base.with(override);
  final Map<String, String> template = ComposeFile.readEnvFile(ComposeFileTest.ENV_TEMPLATE);

  @Test
  void addsASecondMemberAndChangesNothingButVigilAndNginx() {
    assertEquals(Set.of("vigil", "vigil-2", "nginx"), override.services().keySet());
    Set<String> services = new TreeSet<>(ComposeFileTest.ALL);
    services.add("vigil-2");
    assertEquals(services, new TreeSet<>(merged.services().keySet()));
    for (String other : List.of("api", "worker", "redis", "postgres", "prometheus", "alertmanager", "grafana")) {
      assertEquals(base.service(other), merged.service(other), other);
    }
    for (String top : List.of("volumes", "secrets")) {
      assertEquals(base.root().get(top), merged.root().get(top), top);
    }
    Map<String, Object> networks = new LinkedHashMap<>(map(merged.root().get("networks")));
    networks.remove("cluster");
    assertEquals(base.root().get("networks"), networks, "frontend and data as they were");
  }

  @Test
  void bothMembersAreTheSingleMonitorButForTheClusterLines() {
    Map<String, Object> single = withoutClusterLines(base.service("vigil"));
    for (String member : MEMBERS) {
      assertEquals(single, withoutClusterLines(merged.service(member)),
          member + " differs from docker-compose.production.yml's vigil beyond VIGIL_CLUSTER_* and networks");
    }
  }

  @Test
  void eachMemberHasAHealthCheckLimitsAndAGracePeriodOverItsDrain(@TempDir Path dir) throws IOException {
    for (String member : MEMBERS) {
      Map<String, Object> s = merged.service(member);
      List<String> test = names(map(s.get("healthcheck")).get("test"));
      assertEquals("http://127.0.0.1:9090/health/live", test.get(test.size() - 1), member + ": liveness only");
      Map<String, Object> limits = map(map(map(s.get("deploy")).get("resources")).get("limits"));
      assertEquals(384L << 20, ComposeFile.bytes(limits.get("memory")), member + ": memory limit");
      assertEquals("0.5", String.valueOf(limits.get("cpus")), member + ": cpu limit");
      VigilConfig config = ComposeFileTest.vigilConfig(merged, member, template, dir);
      Duration needed = config.server().drainDelay().plus(config.server().shutdownTimeout());
      Duration grace = ComposeFile.duration(s.get("stop_grace_period"));
      assertTrue(grace.compareTo(needed) > 0, member + ": stop_grace_period " + grace + " must exceed " + needed);
    }
  }

  @Test
  void eachMemberNamesTheOtherAndListensOnItsOwnAddressOnTheClusterNetwork(@TempDir Path dir) throws IOException {
    ClusterConfig one = ComposeFileTest.vigilConfig(merged, "vigil", template, dir).cluster();
    ClusterConfig two = ComposeFileTest.vigilConfig(merged, "vigil-2", template, dir).cluster();
    assertTrue(one.enabled() && two.enabled(), "both clustered");
    assertEquals(one.name(), two.name(), "one cluster");
    assertEquals(List.of(ClusterConfig.DEFAULT_PORT, ClusterConfig.DEFAULT_PORT), List.of(one.port(), two.port()));
    assertEquals(List.of(two.host() + ":" + two.port()), one.members(), "vigil names vigil-2");
    assertEquals(List.of(one.host() + ":" + one.port()), two.members(), "vigil-2 names vigil");
    assertNotEquals(one.host(), two.host());
    Map<String, ClusterConfig> byMember = Map.of("vigil", one, "vigil-2", two);
    for (String member : MEMBERS) {
      Map<String, Object> joined = map(merged.service(member).get("networks"));
      assertEquals(Set.of("frontend", "data", "cluster"), joined.keySet(), member);
      // The host is an alias on the cluster network and nowhere else (a service name resolves on
      // every network a member joins), so the member binds and is reached there only.
      assertEquals(List.of(byMember.get(member).host()), names(map(joined.get("cluster")).get("aliases")), member);
      assertFalse(merged.services().containsKey(byMember.get(member).host()), "not a service name");
      for (String other : List.of("frontend", "data")) {
        Object spec = joined.get(other);
        assertTrue(spec == null || !map(spec).containsKey("aliases"), member + " has no alias on " + other);
      }
    }
  }

  @Test
  void noClusterPortIsPublishedAndOnlyTheMembersJoinTheInternalClusterNetwork() {
    for (String name : merged.services().keySet()) {
      Map<String, Object> s = merged.service(name);
      assertEquals(MEMBERS.contains(name), names(s.get("networks")).contains("cluster"), name + " on the cluster network");
      assertFalse(s.containsKey("network_mode"), name + ": its own network namespace");
      if (name.equals("grafana")) {
        assertTrue(ComposeFileTest.publishesOnLoopbackOnly(s), "grafana publishes on the loopback only");
      } else if (!name.equals("nginx")) {
        assertFalse(s.containsKey("ports"), name + " publishes no port");
      }
    }
    assertEquals(base.service("nginx").get("ports"), merged.service("nginx").get("ports"), "nginx publishes what it did");
    Map<String, Object> cluster = map(map(merged.root().get("networks")).get("cluster"));
    assertEquals("bridge", cluster.get("driver"));
    assertEquals(Boolean.TRUE, cluster.get("internal"), "no route outside");
    Set<String> subnets = new HashSet<>();
    for (Object n : map(merged.root().get("networks")).values()) {
      List<?> ipam = (List<?>) map(map(n).get("ipam")).get("config");
      String subnet = ComposeFile.interpolate(String.valueOf(map(ipam.get(0)).get("subnet")), template);
      assertTrue(subnet.matches("(10|172|192)\\.\\d+\\.\\d+\\.\\d+/\\d+"), "private subnet: " + subnet);
      assertTrue(subnets.add(subnet), "each network its own subnet: " + subnet);
    }
  }

  @Test
  void nginxBalancesOverBothMembersWithTheClusterUpstreamMountedOverTheSingleOne() throws IOException {
    Map<String, String> env = merged.environment("nginx", template);
    assertEquals("vigil:9090", env.get("VIGIL_UPSTREAM"));
    assertEquals("vigil-2:9090", env.get("VIGIL_UPSTREAM_2"));
    Map<String, Path> mounts = NginxUnderTest.fileMounts(merged);
    assertEquals(Map.of("templates/vigil-upstream.conf.template", Path.of("nginx/cluster/vigil-upstream.conf.template")), mounts);
    assertEquals(Map.of(), NginxUnderTest.fileMounts(base), "one monitor: the templates directory as it is");
    // The mount lands on a file the templates directory has: Docker needs no new mount point in a read-only mount.
    assertTrue(names(merged.service("nginx").get("volumes")).contains("./nginx/templates:/etc/nginx/templates:ro"));
    assertTrue(Files.isRegularFile(Path.of("nginx/templates/vigil-upstream.conf.template")));
    Set<String> unset = ComposeFileTest.templateVariables(NginxUnderTest.templates(mounts));
    unset.removeAll(env.keySet());
    assertEquals(Set.of(), unset, "variables the cluster's nginx templates read but compose does not set");
    for (String member : MEMBERS) {
      assertEquals("service_healthy", map(map(merged.service("nginx").get("depends_on")).get(member)).get("condition"), member);
    }
  }

  @Test
  void theEnvironmentTemplateDocumentsEveryVariableTheOverrideReads() {
    Set<String> missing = new TreeSet<>(override.variables());
    missing.removeAll(template.keySet());
    assertEquals(Set.of(), missing, ComposeFileTest.ENV_TEMPLATE + " lacks variables " + OVERRIDE + " reads");
  }

  /** A service without its networks and VIGIL_CLUSTER_* variables: what makes it one member of a cluster. */
  private Map<String, Object> withoutClusterLines(Map<String, Object> service) {
    Map<String, Object> out = new LinkedHashMap<>(service);
    out.remove("networks");
    Map<String, String> env = new LinkedHashMap<>();
    map(service.get("environment")).forEach((k, v) -> {
      if (!k.startsWith(CLUSTER_VARIABLES)) {
        env.put(k, String.valueOf(v));
      }
    });
    out.put("environment", env);
    return out;
  }
}

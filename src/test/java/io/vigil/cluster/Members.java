package io.vigil.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.TestPorts;
import io.vigil.testsupport.VigilProcess;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Vigil processes clustered on 127.0.0.1: each {@code java -jar target/vigil.jar} with a small heap,
 * its own HTTP and cluster ports, every other member listed, and the same checks t0..tN-1 against a
 * {@link CountingTarget}; {@code sections} adds top-level YAML to member i's config (a bridge, say).
 */
public final class Members implements AutoCloseable {
  static final String CLUSTER = "vigil-it";
  /** The members' cluster.failure-detection; a killed member is noticed sooner, when its connections close. */
  static final long DETECTION_MS = 3000;
  private static final Pattern PROBES = Pattern.compile("^vigil_check_probes_total\\{check=\"(t\\d+)\",[^}]*} (\\S+)$",
      Pattern.MULTILINE);

  private static final Pattern OWNERS = Pattern.compile("^vigil_check_state\\{check=\"(t\\d+)\",owner=\"([^\"]+)\",state=\"UP\"} ",
      Pattern.MULTILINE);
  private static final Pattern MEMBERS = Pattern.compile("vigil\\.cluster cluster .*members=(\\d+)");

  public final List<Integer> clusterPorts = new ArrayList<>();
  public final List<VigilProcess> processes = new ArrayList<>();
  public final List<Integer> httpPorts = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  public Members(Path dir, int count, CountingTarget target, int checks, String checkDefaults) throws IOException {
    this(dir, count, target, checks, checkDefaults, i -> "");
  }

  /** {@code sections}: more YAML for member {@code i} (e.g. a bridge), before its checks. */
  public Members(Path dir, int count, CountingTarget target, int checks, String checkDefaults, IntFunction<String> sections)
      throws IOException {
    for (int i = 0; i < count; i++) {
      clusterPorts.add(TestPorts.closed());
    }
    for (int i = 0; i < count; i++) {
      int self = clusterPorts.get(i);
      String others = clusterPorts.stream().filter(p -> p != self).map(p -> "\"127.0.0.1:" + p + "\"")
          .collect(Collectors.joining(", "));
      StringBuilder yaml = new StringBuilder()
          .append("server: { host: 127.0.0.1, port: 0, shutdown: { drain-delay: 0s, timeout: 10s } }\n")
          .append("cluster: { enabled: true, name: ").append(CLUSTER).append(", host: 127.0.0.1, port: ").append(self)
          .append(", members: [").append(others).append("], failure-detection: ").append(DETECTION_MS).append("ms }\n")
          .append(sections.apply(i))
          .append("checks:\n  defaults: ").append(checkDefaults).append('\n');
      IntStream.range(0, checks).forEach(k -> yaml.append("  t").append(k).append(": { type: http, url: \"")
          .append(target.url(k)).append("\", expect: { status: [200] } }\n"));
      Path member = Files.createDirectories(dir.resolve("m" + i));
      Files.writeString(member.resolve("vigil.yaml"), yaml);
      processes.add(VigilProcess.start(List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
          "--config", member.resolve("vigil.yaml").toString()));
    }
    for (VigilProcess p : processes) {
      httpPorts.add(p.awaitPort(Duration.ofSeconds(90)));
    }
  }

  public String get(int member, String path) {
    return MonitorFixture.get(http, httpPorts.get(member), path, Duration.ofSeconds(5)).body();
  }

  public int status(int member, String path) {
    return MonitorFixture.get(http, httpPorts.get(member), path, Duration.ofSeconds(5)).statusCode();
  }

  /** Each check's {@code vigil_check_probes_total} on {@code member}, summed over outcomes. */
  Map<String, Double> probes(int member) {
    Map<String, Double> out = new TreeMap<>();
    Matcher m = PROBES.matcher(get(member, "/metrics"));
    while (m.find()) {
      out.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
    }
    return out;
  }

  /** The {@code owner} label of each check's state series in {@code member}'s /metrics. */
  Map<String, String> owners(int member) {
    Map<String, String> out = new TreeMap<>();
    Matcher m = OWNERS.matcher(get(member, "/metrics"));
    while (m.find()) {
      out.put(m.group(1), m.group(2));
    }
    return out;
  }

  /** How many checks {@code member}'s /health calls UP. */
  int upChecks(int member) {
    return (int) states(member).values().stream().filter("UP"::equals).count();
  }

  /** Each check's state in {@code member}'s /health (UP, DEGRADED: failing below the threshold, DOWN, UNKNOWN). */
  Map<String, String> states(int member) {
    JsonArray checks = new JsonObject(get(member, "/health")).getJsonArray("checks");
    Map<String, String> out = new TreeMap<>();
    for (int i = 0; i < checks.size(); i++) {
      JsonObject c = checks.getJsonObject(i);
      out.put(c.getString("name"), c.getJsonObject("data").getString("state"));
    }
    return out;
  }

  /** The member count in {@code member}'s latest membership log line, or 0 before the first. */
  int lastMembersCount(int member) {
    Matcher m = MEMBERS.matcher(output(member));
    int count = 0;
    while (m.find()) {
      count = Integer.parseInt(m.group(1));
    }
    return count;
  }

  public String output(int member) {
    return String.join("\n", processes.get(member).lines());
  }

  @Override
  public void close() {
    processes.forEach(VigilProcess::close);
  }
}

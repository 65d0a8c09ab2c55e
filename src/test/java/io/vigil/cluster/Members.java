package io.vigil.cluster;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Vigil processes clustered on 127.0.0.1: each {@code java -jar target/vigil.jar} with a small heap,
 * its own HTTP and cluster ports, every other member listed, and the same checks t0..tN-1 against a
 * {@link CountingTarget}.
 */
public final class Members implements AutoCloseable {
  static final String CLUSTER = "vigil-it";
  private static final Pattern PROBES = Pattern.compile("^vigil_check_probes_total\\{check=\"(t\\d+)\",[^}]*} (\\S+)$",
      Pattern.MULTILINE);

  public final List<Integer> clusterPorts = new ArrayList<>();
  public final List<VigilProcess> processes = new ArrayList<>();
  public final List<Integer> httpPorts = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  public Members(Path dir, int count, CountingTarget target, int checks, String checkDefaults) throws IOException {
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
          .append(", members: [").append(others).append("], failure-detection: 3s }\n")
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

  public String output(int member) {
    return String.join("\n", processes.get(member).lines());
  }

  @Override
  public void close() {
    processes.forEach(VigilProcess::close);
  }
}

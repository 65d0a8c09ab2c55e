package io.vigil.alerting;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.testsupport.TestPorts;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The real Prometheus and Alertmanager an alerting test runs (Debian's packages, installed by
 * .ci/run), in the test's directory, on free loopback ports; {@link #close()} kills them.
 */
final class AlertingServers implements AutoCloseable {
  private final Path dir;
  private final List<Process> servers = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  AlertingServers(Path dir) {
    this.dir = dir;
  }

  /**
   * The shipped Alertmanager config with its receivers pointed at {@code receiverPort} and its group
   * interval at 1 s. Its group wait stays the shipped 30 s: at an outage's start api may fail before
   * redis is DOWN (an alert of its own, role root), and the wait is what lets it turn dependent and be
   * inhibited (with 1 s, CI saw api and worker paged).
   */
  int startAlertmanager(int receiverPort) throws IOException, InterruptedException {
    String shipped = Files.readString(Path.of("conf/alertmanager/alertmanager.yml"));
    String config = shipped.replaceAll("http://127\\.0\\.0\\.1:\\d+/alerts", "http://127.0.0.1:" + receiverPort + "/alerts")
        .replace("group_interval: 5m", "group_interval: 1s");
    assertTrue(!config.equals(shipped) && config.contains("group_wait: 30s"), "the shipped config's waits were found");
    Path file = Files.writeString(dir.resolve("alertmanager.yml"), config);
    int port = TestPorts.closed();
    start("alertmanager", "/usr/bin/prometheus-alertmanager", "prometheus-alertmanager",
        "--config.file=" + file, "--storage.path=" + Files.createDirectories(dir.resolve("am-data")),
        "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address=");
    TestPorts.awaitListening(port, servers.get(servers.size() - 1), Duration.ofSeconds(30), () -> "alertmanager");
    return port;
  }

  /** Scrapes Vigil every second and evaluates the shipped rules every second, alerting Alertmanager. */
  int startPrometheus(int vigilPort, int alertmanagerPort) throws IOException, InterruptedException {
    return startPrometheus(vigilPort, """
        rule_files: ["%s"]
        alerting:
          alertmanagers: [{ static_configs: [{ targets: ["127.0.0.1:%d"] }] }]
        """.formatted(Path.of("conf/prometheus/vigil-rules.yml").toAbsolutePath(), alertmanagerPort));
  }

  /** Scrapes Vigil every second as job "vigil" (the job the shipped rules and the dashboard name), no rules. */
  int startPrometheus(int vigilPort) throws IOException, InterruptedException {
    return startPrometheus(vigilPort, "");
  }

  private int startPrometheus(int vigilPort, String alerting) throws IOException, InterruptedException {
    Path file = Files.writeString(dir.resolve("prometheus.yml"), """
        global: { scrape_interval: 1s, evaluation_interval: 1s }
        %sscrape_configs:
          - job_name: vigil
            static_configs: [{ targets: ["127.0.0.1:%d"] }]
        """.formatted(alerting, vigilPort));
    int port = TestPorts.closed();
    start("prometheus", "/usr/bin/prometheus", "prometheus", "--config.file=" + file,
        "--storage.tsdb.path=" + Files.createDirectories(dir.resolve("prom-data")),
        "--web.listen-address=127.0.0.1:" + port);
    TestPorts.awaitListening(port, servers.get(servers.size() - 1), Duration.ofSeconds(30), () -> "prometheus");
    return port;
  }

  /** Alertmanager's alerts ({@code /api/v2/alerts}: the active ones, resolved ones left out). */
  JsonArray alerts(int alertmanagerPort) {
    return new JsonArray(get(alertmanagerPort, "/api/v2/alerts"));
  }

  /** The checks of Alertmanager's alerts in {@code state} (active, suppressed), with {@code label=value}. */
  List<String> checks(int alertmanagerPort, String state, String label, String value) {
    JsonArray alerts = alerts(alertmanagerPort);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < alerts.size(); i++) {
      JsonObject a = alerts.getJsonObject(i);
      if (state.equals(a.getJsonObject("status").getString("state"))
          && (label == null || value.equals(a.getJsonObject("labels").getString(label)))) {
        out.add(a.getJsonObject("labels").getString("check"));
      }
    }
    return out;
  }

  /** The first value of a PromQL query, "" when it has none. */
  String query(int prometheusPort, String promql) {
    JsonObject r = new JsonObject(get(prometheusPort, "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)));
    JsonArray result = r.getJsonObject("data").getJsonArray("result");
    return result.isEmpty() ? "" : result.getJsonObject(0).getJsonArray("value").getString(1);
  }

  /** A GET's body; while the server starts (not answering, 503), an empty result. */
  String get(int port, String path) {
    String nothing = path.startsWith("/api/v1") ? "{\"data\":{\"result\":[]}}" : "[]";
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : nothing;
    } catch (IOException e) {
      return nothing;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The last lines of a server's log, for a failure message. */
  String tail(String name) {
    try {
      List<String> lines = Files.readAllLines(dir.resolve(name + ".log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
    } catch (IOException e) {
      return "(no " + name + ".log: " + e.getMessage() + ")";
    }
  }

  private void start(String name, String binary, String debianPackage, String... args) throws IOException {
    if (!Files.isExecutable(Path.of(binary))) {
      throw new AssertionError(binary + " is missing: apt-get install -y " + debianPackage + " (.ci/run installs it)");
    }
    List<String> command = new ArrayList<>(List.of(binary));
    command.addAll(List.of(args));
    servers.add(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile())
        .start());
  }

  @Override
  public void close() {
    servers.forEach(Process::destroyForcibly);
  }
}

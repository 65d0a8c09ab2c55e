package io.vigil.alerting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.cluster.CountingTarget;
import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.PrivateRedis;
import io.vigil.testsupport.TestPorts;
import io.vigil.testsupport.VigilProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
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
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis dies, and api and worker, which depend on it, fail with it: a real Prometheus scraping a real Vigil with the
 * shipped rules, a real Alertmanager with the shipped routes and inhibit rules, and a webhook
 * receiver in this test. The receiver is paged for redis only; Alertmanager holds api and worker as
 * suppressed by redis; when Redis is back, the receiver gets redis resolved.
 */
class RootCausePagingIT {
  private final List<Process> servers = new ArrayList<>();
  private final List<JsonObject> notifications = new CopyOnWriteArrayList<>();
  private PrivateRedis redis;
  private CountingTarget apps;
  private VigilProcess vigil;
  private HttpServer receiver;
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() {
    servers.forEach(Process::destroyForcibly);
    if (vigil != null) {
      vigil.close();
    }
    if (receiver != null) {
      receiver.stop(0);
    }
    if (apps != null) {
      apps.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void aRedisOutagePagesOnceForRedisAndResolves(@TempDir Path dir) throws Exception {
    redis = PrivateRedis.launch();
    apps = new CountingTarget(2);
    vigil = VigilProcess.run(dir, """
        server: { host: 127.0.0.1, port: 0 }
        checks:
          defaults: { interval: 1s, timeout: 900ms, failure-threshold: 2, success-threshold: 1 }
          redis: { type: redis, uri: "%s" }
          api: { type: http, url: "%s", expect: { status: [200] }, depends-on: [redis] }
          worker: { type: http, url: "%s", expect: { status: [200] }, depends-on: [redis] }
        """.formatted(redis.uri(), apps.url(0), apps.url(1)));
    int vigilPort = vigil.awaitPort(Duration.ofSeconds(60));

    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/alerts", exchange -> {
      notifications.add(new JsonObject(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    receiver.start();
    int alertmanagerPort = startAlertmanager(dir, receiver.getAddress().getPort());
    int prometheusPort = startPrometheus(dir, vigilPort, alertmanagerPort);
    MonitorFixture.eventually(Duration.ofSeconds(60), "Prometheus to scrape Vigil with every check UP",
        () -> query(prometheusPort, "sum(vigil_check_up)").equals("3"));

    redis.stop(); // and the services behind it fail with it, as they would: 503
    apps.fail(0, true);
    apps.fail(1, true);
    try {
      MonitorFixture.eventually(Duration.ofSeconds(90), "the receiver to be paged for redis, and Alertmanager to hold"
          + " api and worker as suppressed", () -> firing().contains("redis")
              && suppressed(alertmanagerPort).containsAll(List.of("api", "worker")));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; notifications: " + notifications + "; Prometheus' alerts: "
          + get(prometheusPort, "/api/v1/alerts") + "; Alertmanager's: " + get(alertmanagerPort, "/api/v2/alerts")
          + "; alertmanager.log: " + tail(dir.resolve("alertmanager.log")) + "; prometheus.log: "
          + tail(dir.resolve("prometheus.log")), e);
    }
    Thread.sleep(5_000); // several group intervals: a page for api or worker would have come by now
    assertEquals(List.of("redis"), List.copyOf(firing()), "checks the receiver was paged for while Redis was down");
    assertTrue(notifications.stream().allMatch(n -> "redis".equals(n.getJsonObject("groupLabels").getString("cause"))),
        "every notification is the redis group: " + notifications);

    redis.start();
    apps.fail(0, false);
    apps.fail(1, false);
    MonitorFixture.eventually(Duration.ofSeconds(60), "redis resolved at the receiver; notifications: " + notifications,
        () -> notifications.stream().anyMatch(n -> "resolved".equals(n.getString("status"))
            && alerts(n).stream().anyMatch(a -> "redis".equals(a.getJsonObject("labels").getString("check")))));
    assertEquals(List.of("redis"), List.copyOf(firing()), "and no other check was ever paged");
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
  }

  /** The checks of every alert the receiver got as firing. */
  private TreeSet<String> firing() {
    TreeSet<String> checks = new TreeSet<>();
    for (JsonObject n : notifications) {
      alerts(n).stream().filter(a -> "firing".equals(a.getString("status")))
          .forEach(a -> checks.add(a.getJsonObject("labels").getString("check")));
    }
    return checks;
  }

  private static List<JsonObject> alerts(JsonObject notification) {
    JsonArray a = notification.getJsonArray("alerts");
    List<JsonObject> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      out.add(a.getJsonObject(i));
    }
    return out;
  }

  /** The checks whose alerts Alertmanager holds as suppressed (inhibited). */
  private List<String> suppressed(int alertmanagerPort) {
    JsonArray alerts = new JsonArray(get(alertmanagerPort, "/api/v2/alerts"));
    List<String> out = new ArrayList<>();
    for (int i = 0; i < alerts.size(); i++) {
      JsonObject a = alerts.getJsonObject(i);
      if ("suppressed".equals(a.getJsonObject("status").getString("state"))
          && !a.getJsonObject("status").getJsonArray("inhibitedBy").isEmpty()) {
        out.add(a.getJsonObject("labels").getString("check"));
      }
    }
    return out;
  }

  private String query(int prometheusPort, String promql) {
    JsonObject r = new JsonObject(get(prometheusPort, "/api/v1/query?query="
        + URLEncoder.encode(promql, StandardCharsets.UTF_8)));
    JsonArray result = r.getJsonObject("data").getJsonArray("result");
    return result.isEmpty() ? "" : result.getJsonObject(0).getJsonArray("value").getString(1);
  }

  private String get(int port, String path) {
    String nothing = path.startsWith("/api/v1") ? "{\"data\":{\"result\":[]}}" : "[]";
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : nothing; // 503 "Service Unavailable" while Prometheus starts
    } catch (IOException e) { // not answering yet: nothing to see
      return nothing;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The shipped config with its receivers pointed at this test and its waits in seconds. */
  private int startAlertmanager(Path dir, int receiverPort) throws Exception {
    String shipped = Files.readString(Path.of("conf/alertmanager/alertmanager.yml"));
    String config = shipped.replaceAll("http://127\\.0\\.0\\.1:\\d+/alerts", "http://127.0.0.1:" + receiverPort + "/alerts")
        .replace("group_interval: 5m", "group_interval: 1s");
    // group_wait stays the shipped 30 s: at the outage's start api may fail before redis is DOWN (an
    // alert of its own, role root), and the wait is what lets it turn dependent and be inhibited.
    // With 1 s, CI saw api and worker paged.
    assertTrue(!config.equals(shipped) && config.contains("group_wait: 30s"), "the shipped config's waits were found");
    Path file = Files.writeString(dir.resolve("alertmanager.yml"), config);
    int port = TestPorts.closed();
    start(dir, "alertmanager", "/usr/bin/prometheus-alertmanager", "prometheus-alertmanager",
        "--config.file=" + file, "--storage.path=" + Files.createDirectories(dir.resolve("am-data")),
        "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address=");
    TestPorts.awaitListening(port, servers.get(servers.size() - 1), Duration.ofSeconds(30), () -> "alertmanager");
    return port;
  }

  /** Scrapes Vigil every second and evaluates the shipped rules every second. */
  private int startPrometheus(Path dir, int vigilPort, int alertmanagerPort) throws Exception {
    Path file = Files.writeString(dir.resolve("prometheus.yml"), """
        global: { scrape_interval: 1s, evaluation_interval: 1s }
        rule_files: ["%s"]
        alerting:
          alertmanagers: [{ static_configs: [{ targets: ["127.0.0.1:%d"] }] }]
        scrape_configs:
          - job_name: vigil
            static_configs: [{ targets: ["127.0.0.1:%d"] }]
        """.formatted(Path.of("conf/prometheus/vigil-rules.yml").toAbsolutePath(), alertmanagerPort, vigilPort));
    int port = TestPorts.closed();
    start(dir, "prometheus", "/usr/bin/prometheus", "prometheus", "--config.file=" + file,
        "--storage.tsdb.path=" + Files.createDirectories(dir.resolve("prom-data")),
        "--web.listen-address=127.0.0.1:" + port);
    TestPorts.awaitListening(port, servers.get(servers.size() - 1), Duration.ofSeconds(30), () -> "prometheus");
    return port;
  }

  private void start(Path dir, String name, String binary, String debianPackage, String... args) throws IOException {
    if (!Files.isExecutable(Path.of(binary))) {
      throw new AssertionError(binary + " is missing: apt-get install -y " + debianPackage + " (.ci/run installs it)");
    }
    List<String> command = new ArrayList<>(List.of(binary));
    command.addAll(List.of(args));
    servers.add(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile())
        .start());
  }
}

package io.vigil.alerting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * Every query of the shipped Grafana dashboard ({@code conf/grafana/vigil-dashboard.json}), panels
 * nested in collapsed rows included, run against a real Prometheus scraping a real Vigil: each one
 * parses and returns data. Grafana's variables are substituted as Grafana would with the
 * dashboard's defaults; the template variables' own {@code label_values} queries must find values.
 * The Vigil under watch has a check that fails (a refused port) and one DOWN because of it, so the
 * failure, transition and root-cause panels have series too.
 */
class DashboardQueriesIT {
  static final Path DASHBOARD = Path.of("conf/grafana/vigil-dashboard.json");
  static final Path DATASOURCES = Path.of("conf/grafana/provisioning/datasources/prometheus.yml");
  static final Path PROVIDERS = Path.of("conf/grafana/provisioning/dashboards/vigil.yml");
  static final Path COMPOSE = Path.of("docker-compose.production.yml");
  static final Path PROMETHEUS = Path.of("conf/prometheus/prometheus.yml");

  /** Grafana's built-in interval variables, as a 1 s scrape and the dashboard's range make them. */
  static final Map<String, String> BUILT_INS = Map.of("__rate_interval", "30s", "__interval", "15s",
      "__range", "3h", "__interval_ms", "15000", "__range_s", "10800");
  static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::[^}]*)?}|\\[\\[(\\w+)]]|\\$(\\w+)");
  static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+),\\s*(\\w+)\\s*\\)");

  /** What the dashboard must show (issue 11), each found by the metrics a panel queries. */
  static final Map<String, Predicate<Panel>> KINDS = new LinkedHashMap<>();

  static {
    KINDS.put("overall state (vigil_status)", p -> p.queries("vigil_status{"));
    KINDS.put("state timeline per check", p -> p.type().equals("state-timeline") && p.queries("vigil_check_state{"));
    KINDS.put("probe latency quantiles", p -> p.queries("histogram_quantile") && p.queries("vigil_check_duration_seconds_bucket"));
    KINDS.put("failures by reason", p -> p.queries("vigil_check_failures_total") && p.queries("reason"));
    KINDS.put("transitions", p -> p.queries("vigil_check_transitions_total"));
    KINDS.put("probe rate", p -> p.queries("rate(vigil_check_probes_total"));
    KINDS.put("schedule lag quantile", p -> p.queries("histogram_quantile") && p.queries("vigil_probe_schedule_lag_seconds_bucket"));
    KINDS.put("root causes (vigil_check_cause)", p -> p.queries("vigil_check_cause"));
    KINDS.put("JVM heap", p -> p.queries("jvm_memory_used_bytes{area=\"heap\""));
    KINDS.put("JVM GC", p -> p.queries("jvm_gc_pause_seconds"));
    KINDS.put("Vert.x pools", p -> p.queries("vertx_pool_"));
    KINDS.put("Vert.x HTTP server", p -> p.queries("vertx_http_server_"));
    KINDS.put("Vert.x event bus", p -> p.queries("vertx_eventbus_"));
  }

  record Query(String panel, String refId, String expr) {
    @Override
    public String toString() {
      return "panel \"" + panel + "\" (" + refId + "): " + expr;
    }
  }

  record Panel(String title, String type, JsonObject json, List<String> exprs) {
    boolean queries(String text) {
      return exprs.stream().anyMatch(e -> e.contains(text));
    }
  }

  private AlertingServers servers;
  private final HttpClient http = HttpClient.newHttpClient();
  private PrivateRedis redis;
  private HttpServer app;
  private VigilProcess vigil;

  @AfterEach
  void stop() {
    if (servers != null) {
      servers.close();
    }
    if (vigil != null) {
      vigil.close();
    }
    if (app != null) {
      app.stop(0);
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void everyPanelsQueryParsesAndReturnsData(@TempDir Path dir) throws Exception {
    long started = System.nanoTime();
    JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
    List<Panel> panels = panels(dashboard.getJsonArray("panels"), new ArrayList<>());
    List<String> missing = KINDS.entrySet().stream().filter(k -> panels.stream().noneMatch(k.getValue()))
        .map(Map.Entry::getKey).toList();
    assertEquals(List.of(), missing, "panels the dashboard must have");

    redis = PrivateRedis.launch();
    app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    app.createContext("/", exchange -> {
      exchange.sendResponseHeaders(exchange.getRequestURI().getPath().equals("/ok") ? 200 : 503, -1);
      exchange.close();
    });
    app.start();
    int appPort = app.getAddress().getPort();
    vigil = VigilProcess.run(dir, """
        server: { host: 127.0.0.1, port: 0 }
        checks:
          defaults: { interval: 1s, timeout: 900ms, failure-threshold: 2, success-threshold: 1 }
          redis: { type: redis, uri: "%s" }
          web: { type: http, url: "http://127.0.0.1:%d/ok", expect: { status: [200] } }
          db: { type: tcp, host: 127.0.0.1, port: %d }
          api: { type: http, url: "http://127.0.0.1:%d/broken", expect: { status: [200] }, depends-on: [db] }
        """.formatted(redis.uri(), appPort, TestPorts.closed(), appPort));
    servers = new AlertingServers(dir);
    int prometheusPort = servers.startPrometheus(vigil.awaitPort(Duration.ofSeconds(60)));

    Map<String, String> values = new LinkedHashMap<>(BUILT_INS);
    resolveVariables(dashboard.getJsonObject("templating").getJsonArray("list"), prometheusPort, values);
    List<Query> queries = new ArrayList<>();
    for (Panel p : panels) {
      JsonArray targets = p.json().getJsonArray("targets", new JsonArray());
      for (int i = 0; i < targets.size(); i++) {
        JsonObject t = targets.getJsonObject(i);
        queries.add(new Query(p.title(), t.getString("refId"), substitute(p.title(), t.getString("expr"), values)));
      }
    }

    Map<Query, String> failing = new LinkedHashMap<>();
    try {
      // 30 s rates need two scrapes; the root cause needs db's two failures and api's.
      MonitorFixture.eventually(Duration.ofSeconds(60), "every panel's query to return data", () -> {
        failing.clear();
        for (Query q : queries) {
          String why = run(prometheusPort, q.expr());
          if (why != null) {
            failing.put(q, why);
          }
        }
        if (failing.values().stream().anyMatch(w -> w.startsWith("does not parse"))) {
          return true; // it never will: stop polling and fail below
        }
        pause(failing.isEmpty() ? 0 : 500);
        return failing.isEmpty();
      });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; still failing:\n" + describe(failing) + "\nprometheus.log: "
          + servers.tail("prometheus"), e);
    }
    failing.values().removeIf(why -> !why.startsWith("does not parse")); // the others may only have been early
    assertTrue(failing.isEmpty(), "queries of the dashboard that Prometheus rejects:\n" + describe(failing));
    System.out.printf("DashboardQueriesIT: %d panels, %d queries, every one with data %.1f s after the test started%n",
        panels.size(), queries.size(), (System.nanoTime() - started) / 1e9);
  }

  /** Grafana's provisioning points at this dashboard, and its datasource is the one the panels name. */
  @Test
  void theComposeStackProvisionsTheDashboardAndItsDatasource() throws IOException {
    JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
    Map<String, Object> datasource = map(list(yaml(DATASOURCES).get("datasources")).get(0));
    assertEquals("prometheus", datasource.get("type"));
    assertEquals("http://prometheus:9090", datasource.get("url"));
    JsonObject variable = variable(dashboard, "datasource");
    assertEquals("datasource", variable.getString("type"));
    assertEquals(datasource.get("uid"), variable.getJsonObject("current").getString("value"),
        "the dashboard's datasource variable defaults to the provisioned datasource");
    for (Panel p : panels(dashboard.getJsonArray("panels"), new ArrayList<>())) {
      assertEquals("${datasource}", p.json().getJsonObject("datasource").getString("uid"), p.title());
      assertTrue(!p.exprs().isEmpty() && p.exprs().stream().noneMatch(String::isBlank), p.title() + " has queries");
    }
    assertEquals("vigil", variable(dashboard, "job").getJsonObject("current").getString("value"),
        "the job the shipped rules and conf/prometheus/prometheus.yml name");
    Map<String, Object> scrape = map(list(yaml(PROMETHEUS).get("scrape_configs")).get(0));
    assertEquals("vigil", scrape.get("job_name"));

    String path = String.valueOf(map(map(list(yaml(PROVIDERS).get("providers")).get(0)).get("options")).get("path"));
    Map<String, Object> grafana = map(map(yaml(COMPOSE).get("services")).get("grafana"));
    List<String> volumes = list(grafana.get("volumes")).stream().map(String::valueOf).toList();
    assertTrue(volumes.stream().anyMatch(v -> v.startsWith("./" + DASHBOARD + ":" + path + "/")),
        "compose mounts " + DASHBOARD + " under the provider's path " + path + ": " + volumes);
    assertTrue(volumes.contains("./conf/grafana/provisioning:/etc/grafana/provisioning:ro"), volumes.toString());
    assertEquals(List.of("monitoring"), grafana.get("profiles"), "Grafana runs only with --profile monitoring");
  }

  /** Every panel, the rows' nested panels included (a collapsed row holds its panels). */
  static List<Panel> panels(JsonArray list, List<Panel> out) {
    for (int i = 0; i < list.size(); i++) {
      JsonObject p = list.getJsonObject(i);
      if (!"row".equals(p.getString("type"))) {
        List<String> exprs = new ArrayList<>();
        JsonArray targets = p.getJsonArray("targets", new JsonArray());
        for (int t = 0; t < targets.size(); t++) {
          exprs.add(targets.getJsonObject(t).getString("expr", ""));
        }
        out.add(new Panel(p.getString("title"), p.getString("type"), p, exprs));
      }
      panels(p.getJsonArray("panels", new JsonArray()), out);
    }
    return out;
  }

  /**
   * Each query variable's {@code label_values} must find values in Prometheus; it then takes the
   * value Grafana starts with: "All" (its {@code allValue}) or its saved current value, which must be
   * among those found.
   */
  private void resolveVariables(JsonArray variables, int prometheusPort, Map<String, String> values) {
    for (int i = 0; i < variables.size(); i++) {
      JsonObject v = variables.getJsonObject(i);
      String name = v.getString("name");
      if ("datasource".equals(v.getString("type"))) {
        values.put(name, v.getJsonObject("current").getString("value"));
        continue;
      }
      assertEquals("query", v.getString("type"), name + ": a variable type this test substitutes");
      String definition = v.getValue("query") instanceof JsonObject q ? q.getString("query") : v.getString("query");
      Matcher m = LABEL_VALUES.matcher(definition);
      assertTrue(m.matches(), name + ": label_values(selector, label) expected, was " + definition);
      String selector = substitute("variable " + name, m.group(1), values);
      TreeSet<String> found = new TreeSet<>();
      MonitorFixture.eventually(Duration.ofSeconds(60), "variable " + name + ": " + definition + " to find values",
          () -> found.addAll(labelValues(prometheusPort, selector, m.group(2))) || pause(500));
      if (v.getBoolean("includeAll", false)) {
        values.put(name, v.getString("allValue"));
      } else {
        String current = v.getJsonObject("current").getString("value");
        assertTrue(found.contains(current), "variable " + name + " defaults to " + current + ", found " + found);
        values.put(name, current);
      }
    }
  }

  private List<String> labelValues(int port, String selector, String label) {
    JsonObject r = get(port, "/api/v1/series?match[]=" + URLEncoder.encode(selector, StandardCharsets.UTF_8));
    List<String> out = new ArrayList<>();
    if (r != null && "success".equals(r.getString("status"))) {
      r.getJsonArray("data").forEach(s -> {
        String value = ((JsonObject) s).getString(label);
        if (value != null) {
          out.add(value);
        }
      });
    }
    return out;
  }

  /** Grafana's {@code $var}, {@code ${var}}, {@code ${var:format}} and {@code [[var]]}; an unknown one fails. */
  static String substitute(String where, String expr, Map<String, String> values) {
    Matcher m = VARIABLE.matcher(expr);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
      String value = values.get(name);
      if (value == null) {
        throw new AssertionError(where + ": $" + name + " is no variable of the dashboard nor of Grafana's known here: "
            + expr);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    return m.appendTail(out).toString();
  }

  /** Null when Prometheus answers with data; else why not. */
  private String run(int port, String promql) {
    HttpResponse<String> r = send(port, "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    if (r == null || r.statusCode() == 503) {
      return "Prometheus not answering yet";
    }
    JsonObject body = new JsonObject(r.body());
    if (!"success".equals(body.getString("status"))) {
      return (r.statusCode() == 400 ? "does not parse: " : "error: ") + body.getString("error");
    }
    return body.getJsonObject("data").getJsonArray("result").isEmpty() ? "no data" : null;
  }

  private JsonObject get(int port, String path) {
    HttpResponse<String> r = send(port, path);
    return r == null || r.statusCode() != 200 ? null : new JsonObject(r.body());
  }

  private HttpResponse<String> send(int port, String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) { // not answering yet
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static boolean pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    return false;
  }

  private static String describe(Map<Query, String> failing) {
    StringBuilder b = new StringBuilder();
    failing.forEach((q, why) -> b.append("  ").append(q).append("\n    -> ").append(why).append('\n'));
    return b.toString();
  }

  private static JsonObject variable(JsonObject dashboard, String name) {
    JsonArray list = dashboard.getJsonObject("templating").getJsonArray("list");
    for (int i = 0; i < list.size(); i++) {
      if (name.equals(list.getJsonObject(i).getString("name"))) {
        return list.getJsonObject(i);
      }
    }
    throw new AssertionError("the dashboard has no variable " + name);
  }

  private static Map<String, Object> yaml(Path file) throws IOException {
    return new Yaml().load(Files.readString(file));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object node) {
    return (Map<String, Object>) node;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object node) {
    return (List<Object>) node;
  }
}

package io.vigil.alerting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vigil.cluster.CountingTarget;
import io.vigil.http.SseClient;
import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.VigilProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Maintenance end to end on a real Vigil: a config window over cache and a silence set through the
 * admin API over db. Both fail for many intervals: their state is tracked, flagged in /health, in
 * /events and in vigil_check_maintenance, readiness still follows them, and the webhook hears
 * nothing. The API refuses a missing or wrong token and changes nothing. Deleting the silence lets
 * db's page out; cache, still in its window, stays quiet.
 */
class MaintenanceIT {
  private static final String TOKEN = "maintenance-admin-token-42";
  private final List<JsonObject> pages = new CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private CountingTarget apps;
  private VigilProcess vigil;
  private HttpServer receiver;

  @AfterEach
  void stop() {
    if (vigil != null) {
      vigil.close();
    }
    if (receiver != null) {
      receiver.stop(0);
    }
    if (apps != null) {
      apps.close();
    }
  }

  @Test
  void aWindowAndASilenceHoldNotificationsBackAndShowTheFlag(@TempDir Path dir) throws Exception {
    apps = new CountingTarget(2);
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", exchange -> {
      pages.add(new JsonObject(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    receiver.start();
    // A window open now for two hours (UTC), every day: past midnight it still runs.
    String start = LocalTime.now(ZoneOffset.UTC).minusMinutes(1).truncatedTo(ChronoUnit.MINUTES).toString();
    vigil = VigilProcess.run(dir, """
        server: { host: 127.0.0.1, port: 0, token: "%s" }
        checks:
          defaults: { interval: 500ms, timeout: 400ms, failure-threshold: 2 }
          db: { type: http, url: "%s", expect: { status: [200] } }
          cache: { type: http, url: "%s", expect: { status: [200] } }
        notify:
          hook: { type: webhook, url: "http://127.0.0.1:%d/hook", group-wait: 1s }
        maintenance:
          windows:
            cache-upgrade: { start: "%s", duration: 2h, checks: [cache] }
        """.formatted(TOKEN, apps.url(0), apps.url(1), receiver.getAddress().getPort(), start));
    int port = vigil.awaitPort(Duration.ofSeconds(60));
    MonitorFixture.eventually(Duration.ofSeconds(30), "every check UP", () -> status(port, "GET", "/health/ready", null, null) == 200);

    String silence = "{\"checks\":[\"db\"],\"duration\":\"10m\",\"author\":\"ana\",\"comment\":\"db failover drill\"}";
    for (String auth : new String[] {null, "Bearer not-the-token-at-all"}) {
      assertEquals(401, status(port, "POST", "/admin/silences", silence, auth), "POST with " + auth);
    }
    assertEquals("{\"silences\":[]}", body(port, "/admin/silences", "Bearer " + TOKEN), "nothing was created");
    String id = new JsonObject(send(port, "POST", "/admin/silences", silence, "Bearer " + TOKEN).body()).getString("id");

    try (SseClient events = SseClient.open(port, "/events")) {
      apps.fail(0, true);
      apps.fail(1, true);
      MonitorFixture.eventually(Duration.ofSeconds(20), "db and cache DOWN and flagged in /health",
          () -> downAndFlagged(port, "db") && downAndFlagged(port, "cache"));
      events.await(Duration.ofSeconds(10), "a result event of db flagged in maintenance", list -> list.stream()
          .anyMatch(e -> e.data() != null && e.data().contains("\"check\":\"db\"") && e.data().contains("\"maintenance\":true")));
    }
    String metrics = body(port, "/metrics", null);
    assertTrue(metrics.contains("vigil_check_maintenance{check=\"db\"} 1"), metrics);
    assertTrue(metrics.contains("vigil_check_maintenance{check=\"cache\"} 1"), metrics);
    assertEquals(503, status(port, "GET", "/health/ready", null, null), "readiness follows checks in maintenance by default");
    Thread.sleep(8_000); // 16 intervals, 8 group waits: any page would have come
    assertEquals(List.of(), pages, "nothing is paged during maintenance");

    assertEquals(401, status(port, "DELETE", "/admin/silences/" + id, null, null));
    assertEquals(204, status(port, "DELETE", "/admin/silences/" + id, null, "Bearer " + TOKEN));
    MonitorFixture.eventually(Duration.ofSeconds(20), "db paged once its silence is gone", () -> !pages.isEmpty());
    Thread.sleep(3_000);
    assertEquals(List.of("db"), pages.stream().map(p -> p.getString("check")).distinct().toList(),
        "db is paged; cache, still in its window, is not");
  }

  private boolean downAndFlagged(int port, String check) {
    try {
      JsonObject data = new JsonObject(body(port, "/health/checks/" + check, null)).getJsonObject("data");
      return "DOWN".equals(data.getString("state")) && Boolean.TRUE.equals(data.getBoolean("maintenance"));
    } catch (RuntimeException | IOException | InterruptedException e) {
      return false;
    }
  }

  private int status(int port, String method, String path, String body, String auth) {
    try {
      return send(port, method, path, body, auth).statusCode();
    } catch (IOException | InterruptedException e) {
      return -1;
    }
  }

  private String body(int port, String path, String auth) throws IOException, InterruptedException {
    return send(port, "GET", path, null, auth).body();
  }

  private HttpResponse<String> send(int port, String method, String path, String body, String auth)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}

package io.vigil.http;

import static io.vigil.testsupport.MonitorFixture.FAST;
import static io.vigil.testsupport.MonitorFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.model.Reason;
import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.SwitchableCheck;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every endpoint of the README against a running monitor with checks a test switches. */
class MonitorHttpTest {
  private static final Duration SOON = Duration.ofSeconds(10);
  private MonitorFixture m;
  private final SwitchableCheck store = new SwitchableCheck();
  private final SwitchableCheck api = new SwitchableCheck();
  private final SwitchableCheck batch = new SwitchableCheck();

  @BeforeEach
  void start() {
    m = MonitorFixture.start("checks: {}");
    m.register("store", store, FAST);
    m.register("api", api, FAST.withDependsOn(List.of("store")));
    m.register("batch", batch, FAST.withCritical(false));
    eventually(SOON, "first round", () -> m.status("/health/startup") == 200);
  }

  @AfterEach
  void stop() {
    m.close();
  }

  @Test
  void everyProbeAndAliasAnswers200WhenAllChecksAreUp() {
    for (String p : List.of("/health/live", "/livez", "/health/startup", "/health/started", "/health/ready",
        "/readyz", "/health", "/health/checks/store")) {
      HttpResponse<String> r = m.get(p);
      assertEquals(200, r.statusCode(), p);
      assertEquals("no-store", r.headers().firstValue("cache-control").orElse(""), p);
    }
  }

  @Test
  void readinessTurns503WhenACriticalCheckFailsAndBack200WhenItRecovers() {
    store.fail(Reason.CONNECTION_REFUSED, "Connection refused: 127.0.0.1:6379");
    eventually(SOON, "ready 503", () -> m.status("/health/ready") == 503);
    assertEquals(503, m.status("/readyz"));
    assertEquals(200, m.status("/health/live"), "a dead dependency never fails liveness");
    assertEquals(503, m.status("/health"));
    store.up();
    eventually(SOON, "ready 200 again", () -> m.status("/health/ready") == 200);
  }

  @Test
  void healthNamesTheReasonAndTheRootCause() {
    store.fail(Reason.CONNECTION_REFUSED, "Connection refused");
    api.fail(Reason.HTTP_STATUS, "HTTP 500 (expected 200)");
    eventually(SOON, "api failing with cause", () -> m.get("/health").body().contains("\"cause\":\"store\""));
    JsonObject body = new JsonObject(m.get("/health").body());
    assertEquals("DOWN", body.getString("status"));
    JsonObject apiData = check(body, "api").getJsonObject("data");
    assertEquals("dependency", apiData.getString("reason"));
    assertEquals("store", apiData.getString("cause"));
    JsonObject storeData = check(body, "store").getJsonObject("data");
    assertEquals("connection_refused", storeData.getString("reason"));
    assertNull(storeData.getString("cause"));
    assertEquals("DOWN", storeData.getString("state"));
  }

  @Test
  void nonCriticalFailureIsDegradedAndStill200() {
    batch.fail(Reason.TIMEOUT, "no answer in 80ms");
    eventually(SOON, "degraded", () -> m.get("/health").body().contains("\"state\":\"DEGRADED\""));
    assertTrue(m.get("/health").body().startsWith("{\"status\":\"UP\""), "MicroProfile: DEGRADED is UP");
    assertEquals(200, m.status("/health"));
    assertEquals(200, m.status("/health/ready"));
    assertEquals(503, m.status("/health/checks/batch"));
  }

  @Test
  void healthJsonFormatFollowsTheIetfDraft() {
    batch.fail(Reason.TIMEOUT, "slow");
    eventually(SOON, "degraded", () -> m.get("/health").body().contains("DEGRADED"));
    HttpResponse<String> r = m.get("/health", "Accept", "application/health+json");
    assertEquals("application/health+json", r.headers().firstValue("content-type").orElse(""));
    JsonObject body = new JsonObject(r.body());
    assertEquals("warn", body.getString("status"));
    JsonArray storeEntries = body.getJsonObject("checks").getJsonArray("store:responseTime");
    assertEquals("pass", storeEntries.getJsonObject(0).getString("status"));
    assertEquals("ms", storeEntries.getJsonObject(0).getString("observedUnit"));
    assertEquals("fail", body.getJsonObject("checks").getJsonArray("batch:responseTime").getJsonObject(0).getString("status"));
  }

  @Test
  void verboseGivesOneLinePerCheckInKubernetesStyle() {
    store.fail(Reason.TIMEOUT, "no answer");
    eventually(SOON, "store down", () -> m.status("/health/checks/store") == 503);
    HttpResponse<String> r = m.get("/health?verbose");
    assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
    List<String> lines = MonitorFixture.lines(r.body());
    assertTrue(lines.contains("[-]store failed: timeout: no answer"), r.body());
    assertTrue(lines.contains("[+]batch ok"), r.body());
    assertEquals("health check failed", lines.get(lines.size() - 1));
    assertTrue(m.get("/readyz?verbose").body().endsWith("readyz check failed\n"));
  }

  @Test
  void checkEndpointAnswersPerCheckAnd404ForAnUnknownName() {
    assertEquals(200, m.status("/health/checks/api"));
    HttpResponse<String> r = m.get("/health/checks/nope");
    assertEquals(404, r.statusCode());
    assertEquals("no check named \"nope\"", new JsonObject(r.body()).getString("error"));
  }

  @Test
  void unknownPathsAndMethodsGetShortJsonErrors() throws Exception {
    HttpResponse<String> r = m.get("/nothing/here");
    assertEquals(404, r.statusCode());
    assertEquals("not found", new JsonObject(r.body()).getString("error"));
    var client = java.net.http.HttpClient.newHttpClient();
    var post = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + m.port() + "/health"))
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("x")).build();
    HttpResponse<String> p = client.send(post, HttpResponse.BodyHandlers.ofString());
    assertEquals(405, p.statusCode());
    assertFalse(p.body().contains("Exception"));
  }

  @Test
  void metricsExposeEveryCheckInPrometheusTextAndJson() {
    store.fail(Reason.CONNECTION_REFUSED, "refused");
    eventually(SOON, "store down", () -> m.status("/health/checks/store") == 503);
    String text = m.get("/metrics").body();
    assertTrue(text.contains("vigil_check_up{check=\"store\",critical=\"true\",type=\"custom\"} 0.0"), text);
    assertTrue(text.contains("vigil_check_up{check=\"api\",critical=\"true\",type=\"custom\"}"), text);
    assertTrue(text.contains("vigil_check_failures_total{check=\"store\",reason=\"connection_refused\"}"), text);
    assertTrue(text.contains("vigil_check_duration_seconds_bucket{check=\"store\""), text);
    assertTrue(text.contains("vigil_status{state=\"DOWN\"} 1.0"), text);
    assertTrue(text.contains("vigil_ready 0.0"), text);
    assertTrue(text.contains("vigil_build_info{version="), text);
    assertTrue(text.contains("jvm_memory_used_bytes"), "JVM metrics");
    assertTrue(text.contains("vertx_http_server_"), "Vert.x metrics");
    HttpResponse<String> om = m.get("/metrics", "Accept", "application/openmetrics-text; version=1.0.0");
    assertTrue(om.headers().firstValue("content-type").orElse("").startsWith("application/openmetrics-text"));
    assertTrue(om.body().trim().endsWith("# EOF"));
    JsonObject json = new JsonObject(m.get("/metrics?format=json").body());
    assertTrue(json.getJsonArray("meters").stream().map(o -> ((JsonObject) o).getString("name"))
        .anyMatch("vigil.check.up"::equals));
  }

  @Test
  void statusPageIsServed() {
    HttpResponse<String> r = m.get("/");
    assertEquals(200, r.statusCode());
    assertTrue(r.body().contains("new EventSource('events')"));
  }

  private static JsonObject check(JsonObject health, String name) {
    return health.getJsonArray("checks").stream().map(o -> (JsonObject) o)
        .filter(c -> c.getString("name").equals(name)).findFirst().orElseThrow();
  }
}

package io.vigil.http;

import static io.vigil.testsupport.MonitorFixture.FAST;
import static io.vigil.testsupport.MonitorFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vigil.model.Reason;
import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.SwitchableCheck;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** 405 with Allow, Vary where the format depends on Accept, {@code ?verbose=false}, HEAD on every path. */
class HttpSemanticsTest {
  private static final List<String> PATHS = List.of("/health/live", "/livez", "/health/startup", "/health/started",
      "/health/ready", "/readyz", "/health", "/health/checks/store", "/metrics", "/events", "/");
  private static MonitorFixture m;
  private static final SwitchableCheck store = new SwitchableCheck();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeAll
  static void start() {
    m = MonitorFixture.start("checks: {}");
    m.register("store", store, FAST);
    store.fail(Reason.TIMEOUT, "no answer");
    eventually(Duration.ofSeconds(10), "store down", () -> m.status("/health/ready") == 503);
  }

  @AfterAll
  static void stop() {
    m.close();
  }

  private static HttpResponse<String> send(String method, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.port() + path))
        .timeout(Duration.ofSeconds(5)).method(method, HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anotherMethodIs405WithAllowOnEveryPath() throws Exception {
    for (String path : PATHS) {
      for (String method : List.of("POST", "PUT", "DELETE", "OPTIONS", "PATCH")) {
        HttpResponse<String> r = send(method, path);
        assertEquals(405, r.statusCode(), method + " " + path);
        assertEquals("GET, HEAD", r.headers().firstValue("allow").orElse(""), method + " " + path);
        assertEquals("method not allowed", new JsonObject(r.body()).getString("error"));
      }
    }
    assertEquals(404, send("DELETE", "/nothing").statusCode(), "an unknown path stays 404 whatever the method");
  }

  @Test
  void headAnswersWhatGetWouldWithoutABody() throws Exception {
    for (String path : PATHS) {
      HttpResponse<String> get = path.equals("/events") ? null : send("GET", path);
      HttpResponse<String> head = send("HEAD", path);
      assertEquals("", head.body(), "HEAD " + path + " has no body");
      if (get != null) {
        assertEquals(get.statusCode(), head.statusCode(), "HEAD " + path);
        assertEquals(get.headers().firstValue("content-type"), head.headers().firstValue("content-type"), path);
        assertEquals(get.headers().firstValue("vary"), head.headers().firstValue("vary"), path);
      } else {
        assertEquals(200, head.statusCode());
        assertTrue(head.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
      }
    }
  }

  @Test
  void varyAcceptWhereTheFormatDependsOnIt() throws Exception {
    assertEquals("Accept", send("GET", "/health").headers().firstValue("vary").orElse(""));
    assertEquals("Accept", send("GET", "/metrics").headers().firstValue("vary").orElse(""));
    for (String probe : List.of("/health/live", "/health/ready", "/health/startup", "/health/checks/store")) {
      assertTrue(send("GET", probe).headers().firstValue("vary").isEmpty(), probe + " does not vary");
    }
    assertTrue(send("GET", "/metrics?format=json").headers().firstValue("vary").isEmpty(), "?format=json ignores Accept");
  }

  @Test
  void verboseFalseIsNotVerboseAndABadValueIsA400() throws Exception {
    for (String off : List.of("/health/ready?verbose=false", "/health/ready?verbose=0", "/health/ready")) {
      HttpResponse<String> r = send("GET", off);
      assertEquals("{\"status\":\"DOWN\"}", r.body(), off);
      assertEquals(503, r.statusCode());
    }
    for (String on : List.of("/health/ready?verbose", "/health/ready?verbose=true", "/health/ready?verbose=1")) {
      assertTrue(send("GET", on).body().endsWith("readyz check failed\n"), on);
    }
    assertTrue(new JsonObject(send("GET", "/health?verbose=false").body()).containsKey("checks"));
    HttpResponse<String> bad = send("GET", "/health/live?verbose=maybe");
    assertEquals(400, bad.statusCode());
    assertEquals("query parameter verbose must be true or false (was \"maybe\")", new JsonObject(bad.body()).getString("error"));
    HttpResponse<String> format = send("GET", "/metrics?format=xml");
    assertEquals(400, format.statusCode());
    assertFalse(format.body().contains("Exception"));
  }

  @Test
  void probesAnswerFromConstantsWithNoStore() throws IOException, Exception {
    HttpResponse<String> live = send("GET", "/health/live");
    assertEquals("{\"status\":\"UP\"}", live.body());
    assertEquals("no-store", live.headers().firstValue("cache-control").orElse(""));
    assertEquals(String.valueOf(live.body().length()), live.headers().firstValue("content-length").orElse(""));
  }
}

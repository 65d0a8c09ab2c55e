package io.vigil.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The admin API's silences over real HTTP: the token guards every method, bad bodies name their field. */
class AdminSilencesTest {
  private static final String TOKEN = "admin-token-0123456789";
  private final HttpClient http = HttpClient.newHttpClient();
  private ServingFixture fixture;

  @AfterEach
  void close() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void noTokenOrAWrongOneIs401AndChangesNothing() throws Exception {
    fixture = ServingFixture.start("details: always, token: \"" + TOKEN + "\"");
    String body = "{\"checks\":[\"check-0\"],\"duration\":\"30m\"}";
    for (String auth : new String[] {null, "Bearer wrong-token-0123456789", "Basic " + TOKEN, "Bearer " + TOKEN + "x"}) {
      HttpResponse<String> r = send("POST", "/admin/silences", body, auth);
      assertEquals(401, r.statusCode(), auth + ": " + r.body());
      assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), r.headers().toString());
      assertEquals(401, send("GET", "/admin/silences", null, auth).statusCode());
    }
    assertEquals(List.of(), fixture.board.maintenance().silences(Instant.now()), "nothing was created");
    String id = new JsonObject(send("POST", "/admin/silences", body, "Bearer " + TOKEN).body()).getString("id");
    assertEquals(401, send("DELETE", "/admin/silences/" + id, null, "Bearer nope-nope-nope-nope").statusCode());
    assertEquals(1, fixture.board.maintenance().silences(Instant.now()).size(), "a wrong token deletes nothing");
  }

  @Test
  void withoutAConfiguredTokenTheApiIsOff() throws Exception {
    fixture = ServingFixture.start("details: always");
    HttpResponse<String> r = send("POST", "/admin/silences", "{\"duration\":\"30m\"}", "Bearer anything-at-all-12345");
    assertEquals(401, r.statusCode());
    assertTrue(r.body().contains("the admin API is off: set server.token"), r.body());
  }

  @Test
  void aSilenceIsCreatedListedAndDeleted() throws Exception {
    fixture = ServingFixture.start("details: always, token: \"" + TOKEN + "\"");
    HttpResponse<String> created = send("POST", "/admin/silences",
        "{\"checks\":[\"check-1\"],\"duration\":\"45m\",\"author\":\"ana\",\"comment\":\"failover drill\"}", "Bearer " + TOKEN);
    assertEquals(201, created.statusCode(), created.body());
    JsonObject s = new JsonObject(created.body());
    assertEquals(new JsonArray(List.of("check-1")), s.getJsonArray("checks"));
    assertEquals(Duration.ofMinutes(45), Duration.between(Instant.parse(s.getString("startsAt")), Instant.parse(s.getString("endsAt"))));
    assertEquals("ana", s.getString("author"));
    JsonArray listed = new JsonObject(send("GET", "/admin/silences", null, "Bearer " + TOKEN).body()).getJsonArray("silences");
    assertEquals(s, listed.getJsonObject(0));
    assertEquals(204, send("DELETE", "/admin/silences/" + s.getString("id"), null, "Bearer " + TOKEN).statusCode());
    assertEquals(404, send("DELETE", "/admin/silences/" + s.getString("id"), null, "Bearer " + TOKEN).statusCode());
    assertEquals(List.of(), fixture.board.maintenance().silences(Instant.now()));
  }

  @Test
  void aBadBodyIsA400NamingEachFieldAndCreatesNothing() throws Exception {
    fixture = ServingFixture.start("details: always, token: \"" + TOKEN + "\"");
    HttpResponse<String> r = send("POST", "/admin/silences",
        "{\"checks\":[\"nope\", 3],\"duration\":\"forever\",\"author\":7,\"extra\":true}", "Bearer " + TOKEN);
    assertEquals(400, r.statusCode());
    assertEquals("checks[0]: unknown check \"nope\"; checks[1]: must be a check name; duration: \"forever\" is not a"
        + " duration (write 500ms, 5s, 1m, 2h); author must be a string of at most 1000 characters; unknown field \"extra\"",
        new JsonObject(r.body()).getString("error"));
    assertEquals(400, send("POST", "/admin/silences", "not json", "Bearer " + TOKEN).statusCode());
    assertEquals(400, send("POST", "/admin/silences", "[1]", "Bearer " + TOKEN).statusCode());
    assertEquals(400, send("POST", "/admin/silences", "{\"duration\":\"25h\"}", "Bearer " + TOKEN).statusCode());
    assertEquals(List.of(), fixture.board.maintenance().silences(Instant.now()));
    HttpResponse<String> put = send("PUT", "/admin/silences", "{}", "Bearer " + TOKEN);
    assertEquals(405, put.statusCode());
    assertEquals("GET, POST", put.headers().firstValue("Allow").orElse(""));
  }

  private HttpResponse<String> send(String method, String path, String body, String auth)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fixture.port() + path))
        .timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}

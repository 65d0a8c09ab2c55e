package io.vigil.http;

import static io.vigil.testsupport.MonitorFixture.FAST;
import static io.vigil.testsupport.MonitorFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vigil.model.Reason;
import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.SwitchableCheck;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** {@code /events}: what a browser receives. */
class EventStreamTest {

  /** One parsed SSE event. */
  record Event(String name, long id, JsonObject data) {}

  @Test
  void streamStartsWithTheSnapshotThenCarriesResultsAndTransitionsAndEndsOnShutdown() throws Exception {
    MonitorFixture m = MonitorFixture.start("checks: {}");
    SwitchableCheck redis = new SwitchableCheck();
    m.register("redis", redis, FAST);
    eventually(Duration.ofSeconds(10), "ready", () -> m.status("/health/ready") == 200);

    HttpResponse<InputStream> res = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.port() + "/events")).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, res.statusCode());
    assertTrue(res.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
    List<Event> events = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> read(res.body(), events));
    reader.start();

    eventually(Duration.ofSeconds(10), "snapshot and a result", () -> events.size() >= 2);
    redis.fail(Reason.TIMEOUT, "slow");
    eventually(Duration.ofSeconds(10), "a DOWN transition", () -> events.stream()
        .anyMatch(e -> e.name.equals("status") && "DOWN".equals(e.data.getString("to"))));

    Event first = events.get(0);
    assertEquals("snapshot", first.name);
    assertEquals("redis", first.data.getJsonArray("checks").getJsonObject(0).getString("name"));
    List<Event> withIds = events.stream().filter(e -> !e.name.equals("lifecycle")).toList();
    for (int i = 1; i < withIds.size(); i++) {
      assertEquals(withIds.get(i - 1).id + 1, withIds.get(i).id, "ids (seq) follow each other: " + withIds);
    }
    Event result = events.stream().filter(e -> e.name.equals("result")).findFirst().orElseThrow();
    assertEquals("redis", result.data.getString("check"));

    // Shutdown ends the stream instead of holding the drain open until its timeout.
    long start = System.nanoTime();
    Thread stop = new Thread(() -> m.running().shutdown().run());
    stop.start();
    reader.join(5000);
    assertTrue(!reader.isAlive(), "the stream ended");
    assertTrue((System.nanoTime() - start) / 1_000_000 < 4000, "ended well before the 5 s shutdown timeout");
    stop.join(5000);
  }

  @Test
  void aReconnectingClientResumesAfterItsLastEventIdAndSeesTheDrain() throws Exception {
    MonitorFixture m = MonitorFixture.start("server: { host: 127.0.0.1, port: 0, shutdown: { drain-delay: 300ms, timeout: 5s } }\n"
        + "checks: {}");
    SwitchableCheck redis = new SwitchableCheck();
    m.register("redis", redis, FAST);
    eventually(Duration.ofSeconds(10), "ready", () -> m.status("/health/ready") == 200);
    long last;
    try (SseClient first = SseClient.open(m.port(), "/events")) {
      List<SseClient.Event> seen = first.await(Duration.ofSeconds(5), "three results", e -> SseClient.ids(e).size() >= 3);
      last = SseClient.ids(seen).get(SseClient.ids(seen).size() - 1);
    }
    redis.fail(Reason.TIMEOUT, "slow"); // events while the client is away, a transition among them
    eventually(Duration.ofSeconds(10), "DOWN", () -> m.status("/health/ready") == 503);
    try (SseClient again = SseClient.open(m.port(), "/events", "Last-Event-ID", Long.toString(last))) {
      List<SseClient.Event> resumed = again.await(Duration.ofSeconds(5), "the transition it missed",
          e -> e.stream().anyMatch(x -> x.name().equals("status") && x.data().contains("\"to\":\"DOWN\"")));
      assertTrue(!resumed.get(0).name().equals("snapshot"), "resumed, no snapshot: " + resumed.get(0));
      List<Long> ids = SseClient.ids(resumed);
      for (int i = 0; i < ids.size(); i++) {
        assertEquals(last + 1 + i, ids.get(i), "every event after " + last + ", in order: " + ids);
      }
      Thread stop = new Thread(() -> m.running().shutdown().run());
      stop.start();
      again.awaitEnd(Duration.ofSeconds(4));
      assertTrue(again.events().stream().anyMatch(x -> x.name().equals("lifecycle") && x.data().contains("DRAINING")),
          "DRAINING is on the stream before it ends");
      stop.join(5000);
    }
  }

  private static void read(InputStream body, List<Event> events) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      String name = null;
      long id = -1;
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("event: ")) {
          name = line.substring(7);
        } else if (line.startsWith("id: ")) {
          id = Long.parseLong(line.substring(4));
        } else if (line.startsWith("data: ") && name != null) {
          events.add(new Event(name, id, new JsonObject(line.substring(6))));
          name = null;
          id = -1;
        }
      }
    } catch (java.io.IOException e) {
      // the server closed the stream
    }
  }
}

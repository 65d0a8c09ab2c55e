package io.vigil.bus;

import static io.vigil.testsupport.MonitorFixture.await;
import static io.vigil.testsupport.MonitorFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vigil.testsupport.FaultProxy;
import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.TestServers;
import java.io.BufferedReader;
import java.io.IOException;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * One rule for state, reason and cause (issue 8, Done-when 5): during a Redis outage the API that
 * depends on it reads the same in {@code /health}, its result and transition events on the bus, the
 * same events over {@code /events}, and the labels of {@code /metrics}: DOWN, {@code dependency},
 * cause {@code redis}; its own probe's {@code http_status} only ever as {@code probeReason}.
 */
class OneTruthTest {

  @Test
  void aDependentDuringAnOutageShowsTheSameStateReasonAndCauseEverywhere() throws Exception {
    String redis = TestServers.redisUri();
    Vertx apiVertx = Vertx.vertx();
    try (FaultProxy proxy = FaultProxy.to(TestServers.host(redis), TestServers.port(redis))) {
      AtomicBoolean redisOut = new AtomicBoolean();
      HttpServer api = await(apiVertx.createHttpServer().requestHandler(req -> req.response()
          .setStatusCode(redisOut.get() ? 503 : 200).end()).listen(0, "127.0.0.1"));
      String viaProxy = redis.replace(TestServers.host(redis) + ":" + TestServers.port(redis), "127.0.0.1:" + proxy.port());
      try (MonitorFixture m = MonitorFixture.start("""
          checks:
            defaults: { interval: 300ms, timeout: 200ms }
            redis: { type: redis, uri: "%s", failure-threshold: 1 }
            api: { type: http, url: "http://127.0.0.1:%d/health", failure-threshold: 2, depends-on: [redis] }
          """.formatted(viaProxy, api.actualPort()))) {
        EventBus bus = m.running().vertx().eventBus();
        List<JsonObject> busEvents = new CopyOnWriteArrayList<>();
        await(bus.<JsonObject>consumer(Addresses.RESULT, msg -> busEvents.add(msg.body().copy().put("_event", "result"))).completion());
        await(bus.<JsonObject>consumer(Addresses.CHANGED, msg -> busEvents.add(msg.body().copy().put("_event", "status"))).completion());
        eventually(Duration.ofSeconds(10), "ready", () -> m.status("/health/ready") == 200);
        List<JsonObject> sseEvents = new CopyOnWriteArrayList<>();
        HttpResponse<InputStream> stream = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.port() + "/events")).build(),
            HttpResponse.BodyHandlers.ofInputStream());
        Thread reader = new Thread(() -> readEvents(stream.body(), sseEvents), "sse-reader");
        reader.setDaemon(true);
        reader.start();

        String before = m.get("/metrics").body();
        double downBefore = value(before, "vigil_check_transitions_total{check=\"api\",to=\"DOWN\"}");
        double httpStatusBefore = value(before, "vigil_check_failures_total{check=\"api\",reason=\"http_status\"}");
        busEvents.clear(); // from here on, the outage alone
        // Redis goes first, then the API starts failing because of it, as a real API would.
        proxy.refuse();
        eventually(Duration.ofSeconds(10), "redis DOWN", () -> m.status("/health/checks/redis") == 503);
        redisOut.set(true);
        eventually(Duration.ofSeconds(10), "api DOWN", () -> m.status("/health/checks/api") == 503);
        JsonObject health = new JsonObject(m.get("/health").body());
        long seq = health.getLong("seq");
        // The next results of the API, after this snapshot, on the bus and on the stream.
        eventually(Duration.ofSeconds(10), "an api result after the snapshot on the bus and on /events",
            () -> latestResult(busEvents, "api", seq) != null && latestResult(sseEvents, "api", seq) != null);

        JsonObject data = data(health, "api");
        assertEquals("DOWN", data.getString("state"));
        assertEquals("dependency", data.getString("reason"));
        assertEquals("redis", data.getString("cause"));
        assertEquals("http_status", data.getString("probeReason"), "the probe's own view, kept apart");
        for (List<JsonObject> events : List.of(busEvents, sseEvents)) {
          String where = events == busEvents ? "bus" : "/events";
          JsonObject result = latestResult(events, "api", seq);
          assertEquals(false, result.getBoolean("ok"), where);
          assertEquals(data.getString("state"), result.getString("state"), where + " state: " + result);
          assertEquals(data.getString("reason"), result.getString("reason"), where + " reason: " + result);
          assertEquals(data.getString("cause"), result.getString("cause"), where + " cause: " + result);
          assertEquals("http_status", result.getString("probeReason"), where);
          JsonObject down = events.stream().filter(e -> e.getString("_event").equals("status")
              && "api".equals(e.getString("check")) && "DOWN".equals(e.getString("to"))).findFirst().orElseThrow();
          assertEquals("dependency", down.getString("reason"), where + " transition: " + down);
          assertEquals("redis", down.getString("cause"), where + " transition: " + down);
        }
        // /metrics is rendered off the event loops and reused for max(1 s, 2 x its rendering time)
        // (README, Endpoints): a scrape may be up to that old, so wait for one rendered after the
        // snapshot above, then every label must agree with it.
        String[] scraped = new String[1];
        eventually(Duration.ofSeconds(10), "a scrape rendered after the outage showed in /health", () -> {
          scraped[0] = m.get("/metrics").body();
          return value(scraped[0], "vigil_check_state{check=\"api\",state=\"DOWN\"}") == 1.0;
        });
        String metrics = scraped[0];
        assertEquals(1.0, value(metrics, "vigil_check_state{check=\"api\",state=\"DOWN\"}"), "state label");
        assertTrue(value(metrics, "vigil_check_failures_total{check=\"api\",reason=\"dependency\"}") >= 2,
            "every failed probe of the API is counted under the reason it shows");
        assertEquals(httpStatusBefore, value(metrics, "vigil_check_failures_total{check=\"api\",reason=\"http_status\"}"),
            "never under the probe's own reason while a dependency is DOWN");
        List<JsonObject> apiDown = busEvents.stream().filter(e -> e.getString("_event").equals("status")
            && "api".equals(e.getString("check")) && "DOWN".equals(e.getString("to"))).toList();
        assertEquals((double) apiDown.size(), value(metrics, "vigil_check_transitions_total{check=\"api\",to=\"DOWN\"}") - downBefore,
            "one count per transition published: " + apiDown);
      }
    } finally {
      await(apiVertx.close());
    }
  }

  /** The last result event of {@code check} whose seq is above {@code after}, or null. */
  private static JsonObject latestResult(List<JsonObject> events, String check, long after) {
    JsonObject last = null;
    for (JsonObject e : events) {
      if (e.getString("_event").equals("result") && check.equals(e.getString("check")) && e.getLong("seq") > after) {
        last = e;
      }
    }
    return last;
  }

  private static JsonObject data(JsonObject health, String name) {
    return health.getJsonArray("checks").stream().map(o -> (JsonObject) o)
        .filter(c -> c.getString("name").equals(name)).findFirst().orElseThrow().getJsonObject("data");
  }

  /** The value of one series in Prometheus text; fails when the series is missing. */
  static double value(String metrics, String series) {
    Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(metrics);
    assertTrue(m.find(), "no series " + series);
    return Double.parseDouble(m.group(1));
  }

  /** Reads SSE events into {@code events}, each tagged with its event name in {@code _event}. */
  private static void readEvents(InputStream body, List<JsonObject> events) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      String name = null;
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("event: ")) {
          name = line.substring(7);
        } else if (line.startsWith("data: ") && name != null) {
          events.add(new JsonObject(line.substring(6)).put("_event", name));
          name = null;
        }
      }
    } catch (IOException e) {
      // the monitor closed the stream
    }
  }
}

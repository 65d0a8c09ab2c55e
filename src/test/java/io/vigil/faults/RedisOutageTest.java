package io.vigil.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vigil.testsupport.FaultProxy;
import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.TestServers;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The operator's story, through the program's own start path: Redis stops answering, readiness turns
 * 503 within failure-threshold x interval + 1 s, /health names the reason and points the failing
 * API at Redis, and all is well again once Redis is back.
 */
class RedisOutageTest {

  @Test
  void redisRefusedTurnsReadiness503WithinTheBoundAndTheApiNamesRedisAsCause() throws Exception {
    String redis = TestServers.redisUri();
    Vertx apiVertx = Vertx.vertx();
    try (FaultProxy proxy = FaultProxy.to(TestServers.host(redis), TestServers.port(redis))) {
      // The platform's API: healthy while Redis is, 503 while it is out (as a real API's own health would be).
      java.util.concurrent.atomic.AtomicBoolean redisOut = new java.util.concurrent.atomic.AtomicBoolean();
      HttpServer api = MonitorFixture.await(apiVertx.createHttpServer().requestHandler(req -> {
        boolean up = !redisOut.get();
        req.response().setStatusCode(up ? 200 : 503).end(up ? "{\"status\":\"healthy\"}" : "{\"status\":\"redis down\"}");
      }).listen(0, "127.0.0.1"));
      String viaProxy = redis.replace(TestServers.host(redis) + ":" + TestServers.port(redis), "127.0.0.1:" + proxy.port());
      try (MonitorFixture m = MonitorFixture.start("""
          checks:
            defaults: { interval: 500ms, timeout: 300ms, failure-threshold: 3 }
            redis: { type: redis, uri: "%s", expect: { writable: true } }
            api: { type: http, url: "http://127.0.0.1:%d/health", expect: { json: { status: healthy } }, depends-on: [redis] }
          """.formatted(viaProxy, api.actualPort()))) {
        MonitorFixture.eventually(Duration.ofSeconds(10), "ready", () -> m.status("/health/ready") == 200);
        assertTrue(m.get("/metrics").body().contains("vigil_check_up{check=\"redis\",critical=\"true\",type=\"redis\"} 1.0"));

        long refused = System.nanoTime();
        proxy.refuse();
        redisOut.set(true);
        MonitorFixture.eventually(Duration.ofSeconds(10), "ready 503", () -> m.status("/health/ready") == 503);
        long tookMs = (System.nanoTime() - refused) / 1_000_000;
        assertTrue(tookMs <= 3 * 500 + 1000, "503 within failure-threshold x interval + 1 s, took " + tookMs + " ms");
        MonitorFixture.eventually(Duration.ofSeconds(10), "api DOWN with its cause",
            () -> m.get("/health").body().contains("\"cause\":\"redis\""));

        JsonObject health = new JsonObject(m.get("/health").body());
        assertEquals("DOWN", health.getString("status"));
        JsonObject redisData = data(health, "redis");
        assertEquals("connection_refused", redisData.getString("reason"));
        JsonObject apiData = data(health, "api");
        assertEquals("dependency", apiData.getString("reason"));
        assertEquals("redis", apiData.getString("cause"));
        // The scrape above may be served again for up to a second after its rendering: a state change
        // ends its reuse window (max(1 s, 9 x its rendering time)) then, not before.
        MonitorFixture.eventually(Duration.ofSeconds(10), "vigil_check_up of redis 0 in a fresh /metrics",
            () -> m.get("/metrics").body().contains("vigil_check_up{check=\"redis\",critical=\"true\",type=\"redis\"} 0.0"));

        proxy.pass();
        redisOut.set(false);
        MonitorFixture.eventually(Duration.ofSeconds(10), "ready 200 again", () -> m.status("/health/ready") == 200);
        assertEquals("UP", new JsonObject(m.get("/health").body()).getString("status"));
      }
    } finally {
      MonitorFixture.await(apiVertx.close());
    }
  }

  private static JsonObject data(JsonObject health, String name) {
    return health.getJsonArray("checks").stream().map(o -> (JsonObject) o)
        .filter(c -> c.getString("name").equals(name)).findFirst().orElseThrow().getJsonObject("data");
  }
}

package io.vigil.secrets;

import static io.vigil.testsupport.MonitorFixture.await;
import static io.vigil.testsupport.MonitorFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vigil.bus.Addresses;
import io.vigil.testsupport.MonitorFixture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Passwords in URIs and config values never reach a response, a log line, a metric or an event,
 * even while the checks that hold them fail and report errors.
 */
class NoSecretsInOutputTest {
  private static final String URI_PW = "UriPass-7731";
  private static final String FIELD_PW = "FieldPass-8842";
  private static final String TOKEN = "Token-9953";
  private static final String HTTP_PW = "HttpPass-1164";

  @Test
  void noPasswordAppearsAnywhereWhileChecksFail() throws Exception {
    int closed = io.vigil.testsupport.TestPorts.closed();
    List<String> logs = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        logs.add(r.getMessage() + " " + r.getThrown());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger root = Logger.getLogger("");
    root.addHandler(capture);
    String yaml = """
        server: { host: 127.0.0.1, port: 0, details: authorized, token: "${TOKEN}", shutdown: { drain-delay: 0s, timeout: 5s } }
        checks:
          defaults: { interval: 200ms, timeout: 150ms, failure-threshold: 1 }
          redis: { type: redis, uri: "redis://:%s@127.0.0.1:%d" }
          pg: { type: postgres, uri: "postgresql://postgres:%s@127.0.0.1:%d/test", password: "${PGPW}" }
          api: { type: http, url: "http://admin:%s@127.0.0.1:%d/health", depends-on: [redis] }
        """.formatted(URI_PW, closed, URI_PW, closed, HTTP_PW, closed);
    try (MonitorFixture m = MonitorFixture.start(yaml, Map.of("TOKEN", TOKEN, "PGPW", FIELD_PW))) {
      List<String> events = new CopyOnWriteArrayList<>();
      var bus = m.running().vertx().eventBus();
      await(bus.<JsonObject>consumer(Addresses.RESULT, msg -> events.add(msg.body().encode())).completion());
      await(bus.<JsonObject>consumer(Addresses.CHANGED, msg -> events.add(msg.body().encode())).completion());
      eventually(Duration.ofSeconds(5), "every check reported", () -> m.running().monitor().startup());
      eventually(Duration.ofSeconds(5), "failures seen on the bus", () -> events.size() >= 6);
      String auth = "Bearer " + TOKEN;
      List<String> outputs = new java.util.ArrayList<>();
      for (String path : List.of("/health", "/health?verbose", "/health/ready?verbose", "/health/checks/redis",
          "/health/checks/pg", "/health/checks/api", "/metrics", "/metrics?format=json")) {
        outputs.add(path + " " + m.get(path, "Authorization", auth).body());
        outputs.add(path + " " + m.get(path).body());
      }
      outputs.add(m.get("/health", "Accept", "application/health+json", "Authorization", auth).body());
      var reply = await(bus.<JsonObject>request(Addresses.STATUS, null));
      outputs.add(reply.body().encode());
      String withDetails = m.get("/health", "Authorization", auth).body();
      assertTrue(withDetails.contains("\"reason\":\"connection_refused\""), "details are shown to the token holder: " + withDetails);
      String anonymous = m.get("/health").body();
      assertFalse(anonymous.contains("\"data\""), "details: authorized hides data from callers without the token: " + anonymous);
      assertFalse(m.get("/health", "Authorization", "Bearer wrong").body().contains("\"data\""));
      outputs.addAll(events);
      outputs.addAll(logs);
      for (String out : outputs) {
        for (String secret : List.of(URI_PW, FIELD_PW, TOKEN, HTTP_PW)) {
          assertFalse(out.contains(secret), "secret leaked: " + out);
        }
      }
    } finally {
      root.removeHandler(capture);
    }
  }
}

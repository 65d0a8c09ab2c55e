package io.vigil.alerting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.cluster.CountingTarget;
import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.PrivateRedis;
import io.vigil.testsupport.VigilProcess;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
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
  private AlertingServers servers;
  private final List<JsonObject> notifications = new CopyOnWriteArrayList<>();
  private PrivateRedis redis;
  private CountingTarget apps;
  private VigilProcess vigil;
  private HttpServer receiver;

  @AfterEach
  void stop() {
    if (servers != null) {
      servers.close();
    }
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
    servers = new AlertingServers(dir);
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
    int alertmanagerPort = servers.startAlertmanager(receiver.getAddress().getPort());
    int prometheusPort = servers.startPrometheus(vigilPort, alertmanagerPort);
    MonitorFixture.eventually(Duration.ofSeconds(60), "Prometheus to scrape Vigil with every check UP",
        () -> servers.query(prometheusPort, "sum(vigil_check_up)").equals("3"));

    redis.stop(); // and the services behind it fail with it, as they would: 503
    apps.fail(0, true);
    apps.fail(1, true);
    try {
      MonitorFixture.eventually(Duration.ofSeconds(90), "the receiver to be paged for redis, and Alertmanager to hold"
          + " api and worker as suppressed", () -> firing().contains("redis")
              && suppressed(alertmanagerPort).containsAll(List.of("api", "worker")));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; notifications: " + notifications + "; Prometheus' alerts: "
          + servers.get(prometheusPort, "/api/v1/alerts") + "; Alertmanager's: " + servers.alerts(alertmanagerPort)
          + "; alertmanager.log: " + servers.tail("alertmanager") + "; prometheus.log: " + servers.tail("prometheus"), e);
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
    JsonArray alerts = servers.alerts(alertmanagerPort);
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
}

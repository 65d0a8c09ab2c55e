package io.vigil.alerting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.cluster.CountingTarget;
import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.PrivateRedis;
import io.vigil.testsupport.TestPorts;
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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis dies, and api and worker, which depend on it, fail with it; Vigil's own notifiers page:
 * its {@code alertmanager} notifier posts to a real Alertmanager (with the shipped config), whose
 * API shows redis firing and neither api nor worker; its {@code webhook} notifier sends one signed
 * notification naming redis with api and worker affected, and the resolve naming them recovered. A
 * receiver answering 500 gets the page once it heals; one that never answers and one that refuses
 * connections are retried; throughout, readiness answers in milliseconds and no secret is printed.
 */
class BuiltInNotifiersIT {
  private static final String HMAC_SECRET = "hmac-k3y-for-the-receiver";
  private static final String SLACK_TOKEN = "xoxb-SlackToken4242";
  private final List<JsonObject> hooks = new CopyOnWriteArrayList<>();
  private final List<String> badSignatures = new CopyOnWriteArrayList<>();
  private final List<JsonObject> flaky = new CopyOnWriteArrayList<>();
  private final AtomicInteger flakyRefused = new AtomicInteger();
  private final AtomicBoolean flakyHealed = new AtomicBoolean();
  private final HttpClient http = HttpClient.newHttpClient();
  private AlertingServers servers;
  private PrivateRedis redis;
  private CountingTarget apps;
  private VigilProcess vigil;
  private HttpServer receiver;
  private ExecutorService receiverThreads;

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
      receiverThreads.shutdownNow();
    }
    if (apps != null) {
      apps.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void aRedisOutagePagesOnceForRedisThroughEachNotifierAndResolves(@TempDir Path dir) throws Exception {
    servers = new AlertingServers(dir);
    redis = PrivateRedis.launch();
    apps = new CountingTarget(2);
    int receiverPort = startReceiver();
    int alertmanager = servers.startAlertmanager(receiverPort);
    String hookUrl = "http://127.0.0.1:" + receiverPort;
    vigil = VigilProcess.run(dir, """
        server: { host: 127.0.0.1, port: 0 }
        checks:
          defaults: { interval: 1s, timeout: 900ms, failure-threshold: 2, success-threshold: 1 }
          redis: { type: redis, uri: "%s" }
          api: { type: http, url: "%s", expect: { status: [200] }, depends-on: [redis] }
          worker: { type: http, url: "%s", expect: { status: [200] }, depends-on: [redis] }
        notify:
          am: { type: alertmanager, url: "http://127.0.0.1:%d", group-wait: 5s, repeat-interval: 5s }
          hook: { type: webhook, url: "%s/hook", secret: "%s", group-wait: 5s }
          flaky: { type: webhook, url: "%s/flaky", group-wait: 5s, timeout: 1s }
          hung: { type: webhook, url: "%s/hung", group-wait: 5s, timeout: 1s }
          dead: { type: slack, url: "http://127.0.0.1:%d/services/T000/B000/%s", group-wait: 5s }
        """.formatted(redis.uri(), apps.url(0), apps.url(1), alertmanager, hookUrl, HMAC_SECRET, hookUrl, hookUrl,
        TestPorts.closed(), SLACK_TOKEN));
    int port = vigil.awaitPort(Duration.ofSeconds(60));
    MonitorFixture.eventually(Duration.ofSeconds(30), "every check UP", () -> status(port, "/health") == 200);

    Prober prober = new Prober(port);
    Thread probing = new Thread(prober, "readiness-prober");
    probing.start();
    redis.stop(); // and the services behind it fail with it, as they would: 503
    apps.fail(0, true);
    apps.fail(1, true);
    long outageStart = System.nanoTime();
    try {
      MonitorFixture.eventually(Duration.ofSeconds(60), "Alertmanager to show redis firing from Vigil and the webhook"
          + " to be paged", () -> servers.checks(alertmanager, "active", "source", "vigil").contains("redis")
              && firing(hooks).contains("redis"));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; hooks: " + hooks + "; Alertmanager's alerts: "
          + servers.alerts(alertmanager) + "; vigil: " + tail(vigil.lines()), e);
    }
    Thread.sleep(4_000); // past another group wait and a repeat: a page for api or worker would have come by now
    assertEquals(List.of("redis"), vigilAlerts(alertmanager), "Vigil's alerts in Alertmanager");
    assertEquals(List.of("redis"), firing(hooks), "checks the webhook was paged for");
    JsonObject page = hooks.get(0);
    assertEquals(1, hooks.size(), "one notification for the outage: " + hooks);
    assertEquals(new JsonArray(List.of("api", "worker")), page.getJsonArray("affected"));
    assertEquals("redis", page.getString("cause"));
    assertEquals(List.of(), badSignatures, "every webhook body's HMAC verified");

    MonitorFixture.eventually(Duration.ofSeconds(30), "the 500-answering receiver to have refused three times",
        () -> flakyRefused.get() >= 3);
    flakyHealed.set(true);
    MonitorFixture.eventually(Duration.ofSeconds(90), "the healed receiver to get the page", () -> firing(flaky).contains("redis"));
    String metrics = body(port, "/metrics");
    assertTrue(counter(metrics, "flaky", "retried") >= 2 && counter(metrics, "flaky", "delivered") == 1, metrics);
    assertTrue(counter(metrics, "hung", "retried") >= 1, "a receiver that never answers is retried");
    assertTrue(counter(metrics, "dead", "retried") >= 1, "a receiver that refuses connections is retried");
    assertEquals(1.0, counter(metrics, "hook", "delivered"));
    // The outage lasts 30 intervals at least: Alertmanager keeps redis firing on the re-posts alone
    // (each alert ends 4 repeat intervals after its post), and the webhook is not paged again.
    long held = TimeUnit.SECONDS.toNanos(30) - (System.nanoTime() - outageStart);
    Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(held)));
    assertEquals(List.of("redis"), vigilAlerts(alertmanager), "Vigil's alerts in Alertmanager after 30 s of outage");
    assertEquals(1, hooks.size(), "still one webhook notification: " + hooks);

    redis.start();
    apps.fail(0, false);
    apps.fail(1, false);
    MonitorFixture.eventually(Duration.ofSeconds(60), "redis resolved at the webhook and in Alertmanager; hooks: " + hooks,
        () -> hooks.stream().anyMatch(h -> "resolved".equals(h.getString("status")))
            && vigilAlerts(alertmanager).isEmpty());
    JsonObject resolved = hooks.stream().filter(h -> "resolved".equals(h.getString("status"))).findFirst().orElseThrow();
    assertEquals("redis", resolved.getString("check"));
    assertEquals(new JsonArray(List.of("api", "worker")), resolved.getJsonArray("recovered"));
    assertEquals(List.of("redis"), firing(hooks), "and no other check was ever paged");
    assertEquals(List.of(), badSignatures);

    prober.stop.set(true);
    probing.join(5_000);
    assertTrue(prober.answers.get() > 100, "readiness was asked throughout: " + prober.answers.get());
    assertTrue(prober.slowestNanos.get() < TimeUnit.SECONDS.toNanos(1), "readiness answered within Kubernetes' 1 s"
        + " throughout; slowest " + TimeUnit.NANOSECONDS.toMillis(prober.slowestNanos.get()) + " ms of " + prober.answers.get());
    System.out.printf("BuiltInNotifiersIT: readiness answered %d times, slowest %.1f ms; flaky refused %d times%n",
        prober.answers.get(), prober.slowestNanos.get() / 1e6, flakyRefused.get());
    String output = String.join("\n", vigil.lines()) + body(port, "/metrics") + body(port, "/health");
    for (String secret : List.of(HMAC_SECRET, SLACK_TOKEN)) {
      assertFalse(output.contains(secret), "a notifier's secret was printed: " + secret);
    }
  }

  /** Asks /health/ready every 20 ms and keeps the slowest answer. */
  private final class Prober implements Runnable {
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicLong slowestNanos = new AtomicLong();
    final AtomicInteger answers = new AtomicInteger();
    private final int port;

    Prober(int port) {
      this.port = port;
    }

    @Override
    public void run() {
      while (!stop.get()) {
        long start = System.nanoTime();
        status(port, "/health/ready");
        slowestNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
        answers.incrementAndGet();
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private List<String> vigilAlerts(int alertmanager) {
    List<String> out = new ArrayList<>(servers.checks(alertmanager, "active", "source", "vigil"));
    out.addAll(servers.checks(alertmanager, "suppressed", "source", "vigil"));
    return out;
  }

  private static List<String> firing(List<JsonObject> notifications) {
    return notifications.stream().filter(n -> "firing".equals(n.getString("status"))).map(n -> n.getString("check"))
        .distinct().sorted().toList();
  }

  private static double counter(String metrics, String notifier, String outcome) {
    Matcher m = Pattern.compile("vigil_notifications_total\\{[^}]*notifier=\"" + notifier + "\",outcome=\"" + outcome
        + "\"[^}]*} ([0-9.eE+]+)").matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }

  private int startReceiver() throws IOException {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiverThreads = Executors.newCachedThreadPool();
    receiver.setExecutor(receiverThreads);
    receiver.createContext("/hook", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String timestamp = exchange.getRequestHeaders().getFirst("X-Vigil-Timestamp");
      String signature = exchange.getRequestHeaders().getFirst("X-Vigil-Signature");
      if (timestamp == null || !("sha256=" + hmac(timestamp, body)).equals(signature)) {
        badSignatures.add(timestamp + " " + signature);
      }
      hooks.add(new JsonObject(new String(body, StandardCharsets.UTF_8)));
      answer(exchange, 200);
    });
    receiver.createContext("/flaky", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      if (!flakyHealed.get()) {
        flakyRefused.incrementAndGet();
        answer(exchange, 500);
        return;
      }
      flaky.add(new JsonObject(new String(body, StandardCharsets.UTF_8)));
      answer(exchange, 204);
    });
    receiver.createContext("/hung", exchange -> {
      try {
        Thread.sleep(60_000); // never answers in time
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.close();
    });
    receiver.createContext("/alerts", exchange -> {
      exchange.getRequestBody().readAllBytes(); // Alertmanager's own notifications: not what this test is about
      answer(exchange, 200);
    });
    receiver.start();
    return receiver.getAddress().getPort();
  }

  private static void answer(HttpExchange exchange, int status) throws IOException {
    exchange.sendResponseHeaders(status, -1);
    exchange.close();
  }

  private static String hmac(String timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(HMAC_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  private int status(int port, String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5))
          .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private String body(int port, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5))
        .build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  private static String tail(List<String> lines) {
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
  }
}

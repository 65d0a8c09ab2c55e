package io.vigil.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vigil.cluster.CountingTarget;
import io.vigil.cluster.Members;
import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.TestPorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster mode run for real: nginx/ as docker-compose.cluster.yml mounts it (its file mounts put in
 * place, its nginx environment with loopback addresses) in front of two Vigil processes clustered on
 * loopback, both probing checks of a {@link CountingTarget}. Each member's cluster port answers on its
 * host only. /health is balanced over both and
 * answered once by one of them, a DOWN 503 included; /events streams through; a member killed with
 * SIGKILL costs no request. The tests run in order on one cluster; the last one kills a member.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NginxClusterIT {
  private static final int CHECKS = 4;
  private static final Pattern URT = Pattern.compile("\"GET /health HTTP/[\\d.]+\" (\\d+) .* urt=(\\S+) ");

  private CountingTarget target;
  private Members members;
  private NginxUnderTest nginx;
  private HttpClient https;
  private int httpsPort;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    target = new CountingTarget(CHECKS);
    // A 1 s interval, as ClusterIT's: a killed member's checks are taken over well within max-age (3 s).
    members = new Members(dir, 2, target, CHECKS, "{ interval: 1s, timeout: 900ms }");
    MonitorFixture.eventually(Duration.ofSeconds(90), "both members to see the two and report UP",
        () -> Stream.of(0, 1).allMatch(i -> members.output(i).contains("members=2") && members.status(i, "/health") == 200));
    ComposeFile compose = ComposeFile.read(ComposeFileTest.COMPOSE).with(ComposeFile.read(ComposeClusterFileTest.OVERRIDE));
    Map<String, String> env = new HashMap<>(compose.environment("nginx", ComposeFile.readEnvFile(ComposeFileTest.ENV_TEMPLATE)));
    httpsPort = TestPorts.closed();
    String nowhere = "127.0.0.1:" + TestPorts.closed(); // the API and worker: not asked here
    env.putAll(Map.of("NGINX_HTTP_PORT", Integer.toString(TestPorts.closed()), "NGINX_HTTPS_PORT", Integer.toString(httpsPort),
        "API_UPSTREAM_1", nowhere, "API_UPSTREAM_2", nowhere, "WORKER_UPSTREAM", nowhere, "METRICS_ALLOW_CIDR", "127.0.0.1/32",
        "VIGIL_UPSTREAM", "127.0.0.1:" + members.httpPorts.get(0), "VIGIL_UPSTREAM_2", "127.0.0.1:" + members.httpPorts.get(1)));
    nginx = NginxUnderTest.start(env, httpsPort, NginxUnderTest.fileMounts(compose));
    https = new TlsClient(nginx.certificate()).http(HttpClient.Version.HTTP_1_1);
  }

  @AfterAll
  void stop() throws Exception {
    for (AutoCloseable started : Arrays.asList(nginx, members, target)) { // nginx first: it holds connections to the members
      if (started != null) {
        started.close();
      }
    }
  }

  @Test
  @Order(1)
  void theRenderedClusterConfigPassesNginxTestWithBothMembersInVigilsUpstream() throws IOException {
    assertTrue(nginx.testOutput().contains("test is successful"), nginx.testOutput());
    String upstream = Files.readString(nginx.prefix().resolve("conf.d/vigil-upstream.conf"));
    for (int port : members.httpPorts) {
      assertTrue(upstream.contains("server 127.0.0.1:" + port + " "), upstream);
    }
  }

  @Test
  @Order(2)
  void eachMemberListensForTheClusterOnItsHostOnly() {
    // What keeps 5701 off the frontend and data networks in compose: there the host is the member's
    // address on the cluster network. Here it is 127.0.0.1, and 127.0.0.2 is another address.
    for (int port : members.clusterPorts) {
      assertTrue(TestPorts.accepts("127.0.0.1", port, Duration.ofSeconds(2)), "the cluster port " + port + " on the member's host");
      assertFalse(TestPorts.accepts("127.0.0.2", port, Duration.ofSeconds(2)), "the cluster port " + port + " on another address of the machine");
    }
  }

  @Test
  @Order(3)
  void healthThroughNginxIsAnsweredByBothMembersEachRequestOnce() throws Exception {
    long[] before = {answers(0, 200), answers(1, 200)};
    for (int i = 0; i < 20; i++) {
      assertEquals(200, get("/health").statusCode());
    }
    MonitorFixture.eventually(Duration.ofSeconds(2), "the members' counts",
        () -> answers(0, 200) - before[0] + answers(1, 200) - before[1] >= 20);
    long[] added = {answers(0, 200) - before[0], answers(1, 200) - before[1]};
    assertEquals(20, added[0] + added[1], "20 requests, each answered once");
    assertTrue(added[0] > 0 && added[1] > 0, "balanced over both members: " + added[0] + " + " + added[1]);
  }

  @Test
  @Order(4)
  void eventsStreamThroughNginxOneStreamOnEachMember() throws Exception {
    try (Events first = Events.open(https, uri("/events")); Events second = Events.open(https, uri("/events"))) {
      for (Events e : List.of(first, second)) {
        assertEquals("text/event-stream; charset=utf-8", e.contentType);
        assertEquals("snapshot", e.next());
        for (int i = 0; i < 3; i++) {
          assertEquals("result", e.nextOtherThan("status", "lifecycle"), "results as they happen, not buffered");
        }
      }
      // least_conn: the second stream goes to the member without one. (/metrics bodies are reused for a second.)
      MonitorFixture.eventually(Duration.ofSeconds(3), "one subscriber on each member",
          () -> subscribers(0) == 1 && subscribers(1) == 1);
    }
  }

  @Test
  @Order(5)
  void aDownHealthIsVigilsOwn503PassedThroughOnceNeverRetriedNever502() throws Exception {
    target.fail(0, true);
    try {
      MonitorFixture.eventually(Duration.ofSeconds(20), "both members to report DOWN",
          () -> members.status(0, "/health") == 503 && members.status(1, "/health") == 503);
      long before = answers(0, 503) + answers(1, 503);
      int logFrom = nginx.log().length();
      List<Integer> codes = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        HttpResponse<String> r = get("/health");
        codes.add(r.statusCode());
        if (r.statusCode() == 503) {
          assertEquals("DOWN", new JsonObject(r.body()).getString("status"), "Vigil's body, not nginx's error page");
        }
      }
      assertEquals(Collections.nCopies(20, 503), codes, "every answer Vigil's 503, never a 502 from nginx");
      // A retry is answered before nginx answers the client; only the last count may lag a little.
      MonitorFixture.eventually(Duration.ofSeconds(2), "the members' counts", () -> answers(0, 503) + answers(1, 503) - before >= 20);
      assertEquals(20, answers(0, 503) + answers(1, 503) - before, "each request answered by one member: none retried");
      List<String> urts = new ArrayList<>();
      Matcher m = URT.matcher(nginx.log().substring(logFrom));
      while (m.find()) {
        urts.add(m.group(2));
      }
      assertEquals(20, urts.size(), "access log lines");
      assertTrue(urts.stream().noneMatch(u -> u.contains(",")), "one upstream per request (a retry lists two): " + urts);
    } finally {
      target.fail(0, false);
    }
    MonitorFixture.eventually(Duration.ofSeconds(20), "both members UP again",
        () -> members.status(0, "/health") == 200 && members.status(1, "/health") == 200);
  }

  @Test
  @Order(6)
  void healthAndEventsKeepAnsweringThroughNginxWhileAMemberIsKilled() throws Exception {
    List<String> failed = new ArrayList<>();
    int answered = 0;
    long start = System.nanoTime();
    boolean killed = false;
    // Past fail_timeout (10 s), so nginx also tries the dead member again once and moves on.
    while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(13)) {
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      if (!killed && ms >= 1000) {
        members.processes.get(0).process().destroyForcibly(); // SIGKILL
        killed = true;
      }
      HttpResponse<String> r = get("/health");
      answered++;
      if (r.statusCode() != 200) {
        failed.add(ms + " ms: " + r.statusCode() + " " + r.body());
      }
      Thread.sleep(100);
    }
    assertEquals(List.of(), failed, answered + " requests");
    // nginx met the dead member at the kill (a kept-alive connection reset) and again after fail_timeout
    // (connection refused), each time answering from the other member.
    String log = nginx.log();
    int disabled = count(log, "upstream server temporarily disabled");
    assertTrue(disabled >= 2, "the killed member taken out twice: " + disabled + "; " + log);
    assertTrue(count(log, "\"http://127.0.0.1:" + members.httpPorts.get(0) + "/health\"") >= 2, log);
    assertTrue(Pattern.compile(" 200 .* urt=[\\d.]+, [\\d.]+ ").matcher(log).results().count() >= 2,
        "requests that went on to the other member: " + log);
    try (Events first = Events.open(https, uri("/events")); Events second = Events.open(https, uri("/events"))) {
      for (Events e : List.of(first, second)) {
        assertEquals("snapshot", e.next());
        assertEquals("result", e.nextOtherThan("status", "lifecycle"));
      }
    }
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return https.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).build(), BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("https://127.0.0.1:" + httpsPort + path);
  }

  /** How many GET /health {@code member} has answered with {@code code}, by its own request counter (up to a second old). */
  private long answers(int member, int code) {
    return Math.round(metric(member, "vertx_http_server_requests_total{code=\"" + code + "\",method=\"GET\",route=\"/health\"}"));
  }

  private double subscribers(int member) {
    return metric(member, "vigil_events_subscribers");
  }

  private double metric(int member, String series) {
    return members.get(member, "/metrics").lines().filter(l -> l.startsWith(series + " ")).findFirst()
        .map(l -> Double.parseDouble(l.substring(series.length() + 1))).orElse(0.0);
  }

  private static int count(String text, String what) {
    int n = 0;
    for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
      n++;
    }
    return n;
  }

  /** One /events stream: the names of its events as they come, read on a thread of its own. */
  static final class Events implements AutoCloseable {
    final String contentType;
    private final Stream<String> lines;
    private final BlockingQueue<String> names = new LinkedBlockingQueue<>();

    private Events(HttpResponse<Stream<String>> response) {
      contentType = response.headers().firstValue("content-type").orElse("");
      lines = response.body();
      Thread reader = new Thread(() -> {
        try {
          lines.filter(l -> l.startsWith("event: ")).forEach(l -> names.add(l.substring(7)));
        } catch (RuntimeException closed) {
          names.add("(closed: " + closed + ")");
        }
      }, "events-reader");
      reader.setDaemon(true);
      reader.start();
    }

    static Events open(HttpClient client, URI uri) throws IOException, InterruptedException {
      HttpResponse<Stream<String>> r = client.send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofLines());
      assertEquals(200, r.statusCode(), uri.toString());
      return new Events(r);
    }

    String next() throws InterruptedException {
      String name = names.poll(10, TimeUnit.SECONDS);
      assertTrue(name != null, "an event within 10 s");
      return name;
    }

    String nextOtherThan(String... skipped) throws InterruptedException {
      String name = next();
      while (List.of(skipped).contains(name)) {
        name = next();
      }
      return name;
    }

    @Override
    public void close() {
      lines.close();
    }
  }
}

package io.vigil.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vigil.stack.TlsClient.RawResponse;
import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.TestPorts;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * nginx/ run for real (Debian's nginx) in front of a running Vigil and stand-in API and worker
 * upstreams, all on loopback. Rate limits are per client address, so each test that spends a
 * limit speaks from its own 127.0.0.x address and the tests do not depend on their order.
 */
class NginxIT {
  static final int API_BURST = 10;
  static final int CONN_LIMIT = 4;
  static final List<String> PROBES = List.of("/health/live", "/health/ready", "/health/startup", "/livez", "/readyz");

  static PlatformUpstreams upstreams;
  static MonitorFixture vigil;
  static NginxUnderTest nginx;
  static TlsClient tls;
  static HttpClient h2;
  static int httpPort;
  static int httpsPort;

  @BeforeAll
  static void start() throws Exception {
    upstreams = new PlatformUpstreams();
    vigil = MonitorFixture.start("""
        checks:
          api: { type: http, url: "http://127.0.0.1:%d/health", interval: 200ms, timeout: 150ms }
          worker: { type: http, url: "http://127.0.0.1:%d/health", interval: 200ms, timeout: 150ms, critical: false }
        """.formatted(upstreams.api1.port(), upstreams.worker.port()));
    MonitorFixture.eventually(Duration.ofSeconds(10), "Vigil ready", () -> vigil.status("/health/ready") == 200);
    httpPort = TestPorts.closed();
    httpsPort = TestPorts.closed();
    nginx = NginxUnderTest.start(Map.ofEntries(
        Map.entry("API_UPSTREAM_1", "127.0.0.1:" + upstreams.api1.port()),
        Map.entry("API_UPSTREAM_2", "127.0.0.1:" + upstreams.api2.port()),
        Map.entry("WORKER_UPSTREAM", "127.0.0.1:" + upstreams.worker.port()),
        Map.entry("VIGIL_UPSTREAM", "127.0.0.1:" + vigil.port()),
        Map.entry("METRICS_ALLOW_CIDR", "127.0.0.1/32"),
        Map.entry("NGINX_HTTP_PORT", Integer.toString(httpPort)),
        Map.entry("NGINX_HTTPS_PORT", Integer.toString(httpsPort)),
        Map.entry("NGINX_SERVER_NAME", "localhost"),
        // A low rate so that sequential requests, each on a new TLS connection, outrun it.
        Map.entry("API_RATE", "2r/s"),
        Map.entry("API_BURST", Integer.toString(API_BURST)),
        Map.entry("NGINX_CONN_LIMIT", Integer.toString(CONN_LIMIT))), httpsPort);
    tls = new TlsClient(nginx.certificate());
    h2 = tls.http(HttpClient.Version.HTTP_2);
  }

  @AfterAll
  static void stop() throws Exception {
    if (nginx != null) {
      nginx.close();
    }
    if (vigil != null) {
      vigil.close();
    }
    if (upstreams != null) {
      upstreams.close();
    }
  }

  @Test
  void renderedConfigPassesNginxTest() {
    assertTrue(nginx.testOutput().contains("syntax is ok"), nginx.testOutput());
    assertTrue(nginx.testOutput().contains("test is successful"), nginx.testOutput());
  }

  @Test
  void securityHeadersOnSuccessesErrorsAndRefusals() throws Exception {
    assertSecurityHeaders(headersOf(get("/health")), "/health 200");
    assertSecurityHeaders(headersOf(get("/api/items")), "/api/items 200");
    HttpResponse<String> missing = get("/api/missing");
    assertEquals(404, missing.statusCode());
    assertSecurityHeaders(headersOf(missing), "/api/missing 404");
    RawResponse refused = tls.get(address("127.0.0.2"), httpsPort, "/metrics");
    assertEquals(403, refused.status());
    assertSecurityHeaders(refused.headers()::get, "/metrics 403");
    assertEquals("nginx", missing.headers().firstValue("server").orElseThrow(), "server_tokens off: no version");
  }

  @Test
  void apiPastItsRateGets429WhileProbesStillAnswer200() throws Exception {
    InetAddress client = address("127.0.0.4");
    List<Integer> api = statuses(client, "/api/items", 40);
    assertEquals(List.of(200), api.subList(0, API_BURST + 1).stream().distinct().toList(), "within the burst: " + api);
    assertTrue(api.contains(429), "past the burst the API answers 429: " + api);
    assertEquals(Set.of(200, 429), Set.copyOf(api));
    // The same client, while its API budget is spent: every probe still answers.
    for (int round = 0; round < 4; round++) {
      for (String probe : PROBES) {
        assertEquals(200, tls.get(client, httpsPort, probe).status(), probe + " round " + round);
      }
    }
  }

  @Test
  void authIsLimitedHarderThanTheApi() throws Exception {
    List<Integer> codes = statuses(address("127.0.0.6"), "/auth/login", 9);
    // 10 requests a minute with a burst of 5: six get through at once, the rest wait a minute.
    assertEquals(List.of(200, 200, 200, 200, 200, 200, 429, 429, 429), codes);
  }

  @Test
  void concurrentRequestsPastThePerAddressLimitGet503() throws Exception {
    InetAddress client = address("127.0.0.5");
    ExecutorService pool = Executors.newFixedThreadPool(CONN_LIMIT + 2);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Integer>> codes = new ArrayList<>();
      for (int i = 0; i < CONN_LIMIT + 2; i++) {
        codes.add(pool.submit(() -> {
          go.await();
          return tls.get(client, httpsPort, "/api/slow").status();
        }));
      }
      go.countDown();
      List<Integer> seen = new ArrayList<>();
      for (Future<Integer> f : codes) {
        seen.add(f.get(20, TimeUnit.SECONDS));
      }
      assertEquals(CONN_LIMIT, seen.stream().filter(c -> c == 200).count(), "held requests: " + seen);
      assertEquals(2, seen.stream().filter(c -> c == 503).count(), "requests over the limit: " + seen);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void probesAreExemptFromTheConnectionLimit() throws Exception {
    // One HTTP/2 connection carrying 40 concurrent streams: nginx counts each against limit_conn.
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      all.add(h2.sendAsync(request(PROBES.get(i % PROBES.size())).build(), BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> f : all) {
      HttpResponse<String> r = f.get(10, TimeUnit.SECONDS);
      assertEquals(200, r.statusCode(), r.uri() + " " + r.body());
      assertEquals(HttpClient.Version.HTTP_2, r.version());
    }
  }

  @Test
  void metricsAndEventsOnlyFromTheAllowedSubnet() throws Exception {
    HttpResponse<String> allowed = get("/metrics");
    assertEquals(200, allowed.statusCode());
    assertTrue(allowed.body().contains("vigil_check_up{"), "Vigil's metrics through nginx");
    InetAddress outsider = address("127.0.0.2");
    assertEquals(403, tls.get(outsider, httpsPort, "/metrics").status());
    assertEquals(403, tls.get(outsider, httpsPort, "/events").status());
    assertEquals(200, tls.get(outsider, httpsPort, "/health/ready").status(), "probes are public");
  }

  @Test
  void healthRoutesToVigil() throws Exception {
    HttpResponse<String> health = get("/health");
    assertEquals(200, health.statusCode());
    JsonObject body = new JsonObject(health.body());
    assertEquals("UP", body.getString("status"));
    assertEquals(Set.of("api", "worker"), Set.copyOf(body.getJsonArray("checks").stream()
        .map(c -> ((JsonObject) c).getString("name")).toList()));
    assertEquals("no-store", get("/health/ready").headers().firstValue("cache-control").orElseThrow());
  }

  @Test
  void onlyTls12And13AreAcceptedWithModernCiphers() throws Exception {
    try (SSLSocket s = tls.handshake(httpsPort, "TLSv1.3")) {
      assertEquals("TLSv1.3", s.getSession().getProtocol());
    }
    try (SSLSocket s = tls.handshake(httpsPort, "TLSv1.2")) {
      assertEquals("TLSv1.2", s.getSession().getProtocol());
      assertTrue(s.getSession().getCipherSuite().matches("TLS_ECDHE_(RSA|ECDSA)_WITH_.*(GCM|CHACHA20).*"), s.getSession().getCipherSuite());
    }
    // The JDK disables TLS 1.1 itself, so openssl speaks it; a control server proves it can.
    String tls11 = "Protocol\\s*:\\s*TLSv1\\.1\\s+Cipher\\s*:\\s*(?!0000)\\S+";
    OpenSsl.Exec control = OpenSsl.clientAgainstControlServer(nginx.certificate(), nginx.key(), "-tls1_1");
    assertTrue(control.output().matches("(?s).*" + tls11 + ".*"), "openssl here can speak TLS 1.1: " + control.output());
    OpenSsl.Exec refused = OpenSsl.client(httpsPort, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0");
    assertNotEquals(0, refused.exit(), refused.output());
    assertTrue(refused.output().contains("alert protocol version"), refused.output());
    assertFalse(refused.output().matches("(?s).*" + tls11 + ".*"), refused.output());
    OpenSsl.Exec weakCipher = OpenSsl.client(httpsPort, "-tls1_2", "-cipher", "AES128-SHA");
    assertNotEquals(0, weakCipher.exit(), "a non-forward-secret CBC cipher is refused: " + weakCipher.output());
  }

  @Test
  void jsonIsGzipped() throws Exception {
    for (String path : List.of("/api/items", "/health")) {
      HttpResponse<byte[]> r = h2.send(request(path).header("Accept-Encoding", "gzip").build(), BodyHandlers.ofByteArray());
      assertEquals(200, r.statusCode(), path);
      assertEquals("gzip", r.headers().firstValue("content-encoding").orElse("none"), path);
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(r.body()))) {
        JsonObject json = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        assertTrue(json.containsKey(path.equals("/health") ? "checks" : "instance"), path + ": " + json);
      }
    }
  }

  @Test
  void apiIsBalancedOverBothInstancesOnKeptAliveUpstreamConnections() throws Exception {
    InetAddress client = address("127.0.0.3");
    Set<Object> before = new HashSet<>();
    upstreams.apis().forEach(u -> before.addAll(u.connections));
    Set<String> instances = new HashSet<>();
    int requests = 10;
    for (int i = 0; i < requests; i++) {
      RawResponse r = tls.get(client, httpsPort, "/api/items");
      assertEquals(200, r.status());
      instances.add(new JsonObject(r.body()).getString("instance"));
    }
    assertEquals(Set.of("api1", "api2"), instances);
    Set<Object> opened = new HashSet<>();
    upstreams.apis().forEach(u -> opened.addAll(u.connections));
    opened.removeAll(before);
    // Without upstream keepalive every request would open its own connection.
    assertTrue(opened.size() <= 4, requests + " requests opened " + opened.size() + " upstream connections");
  }

  @Test
  void webSocketUpgradeIsProxiedToTheApi() throws Exception {
    CompletableFuture<String> reply = new CompletableFuture<>();
    WebSocket ws = tls.http(HttpClient.Version.HTTP_1_1).newWebSocketBuilder()
        .buildAsync(URI.create("wss://127.0.0.1:" + httpsPort + "/ws/echo"), new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            reply.complete(data.toString());
            return null;
          }
        }).get(5, TimeUnit.SECONDS);
    ws.sendText("hello", true).get(5, TimeUnit.SECONDS);
    assertTrue(reply.get(5, TimeUnit.SECONDS).matches("api[12]: hello"), reply.join());
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");
  }

  @Test
  void staticAssetsAreCachedByNginxAndBrowsers() throws Exception {
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = get("/static/app.css");
      assertEquals(200, r.statusCode());
      assertEquals("max-age=604800", r.headers().firstValue("cache-control").orElseThrow());
      assertTrue(r.headers().firstValue("expires").isPresent());
    }
    int hits = upstreams.api1.staticHits.get() + upstreams.api2.staticHits.get();
    assertEquals(1, hits, "the second and third requests come from nginx's cache");
  }

  @Test
  void plainHttpAnswersProbesAndNginxHealthAndRedirectsTheRest() throws Exception {
    HttpClient plain = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    HttpResponse<String> own = plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/nginx-health")).build(), BodyHandlers.ofString());
    assertEquals(200, own.statusCode());
    assertEquals("healthy", new JsonObject(own.body()).getString("status"));
    HttpResponse<String> ready = plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health/ready")).build(), BodyHandlers.ofString());
    assertEquals(200, ready.statusCode());
    HttpResponse<String> api = plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/api/items")).build(), BodyHandlers.ofString());
    assertEquals(301, api.statusCode());
    assertEquals("https://127.0.0.1:" + httpsPort + "/api/items", api.headers().firstValue("location").orElseThrow());
  }

  static HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + httpsPort + path)).timeout(Duration.ofSeconds(10));
  }

  static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return h2.send(request(path).build(), BodyHandlers.ofString());
  }

  /** The status of {@code n} GETs of {@code path} in a row, each on a fresh connection from {@code from}. */
  static List<Integer> statuses(InetAddress from, String path, int n) throws IOException {
    List<Integer> codes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      codes.add(tls.get(from, httpsPort, path).status());
    }
    return codes;
  }

  static InetAddress address(String ip) throws IOException {
    return InetAddress.getByName(ip);
  }

  /** The headers of snippets/security-headers.conf, looked up with {@code header} (lower-case names). */
  static void assertSecurityHeaders(Function<String, String> header, String what) {
    Map<String, String> expected = Map.of(
        "strict-transport-security", "max-age=63072000; includeSubDomains",
        "x-frame-options", "DENY",
        "x-content-type-options", "nosniff",
        "referrer-policy", "strict-origin-when-cross-origin");
    expected.forEach((name, value) -> assertEquals(value, header.apply(name), name + " on " + what));
    String csp = String.valueOf(header.apply("content-security-policy"));
    assertTrue(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "CSP on " + what + ": " + csp);
  }

  static Function<String, String> headersOf(HttpResponse<?> r) {
    return name -> r.headers().firstValue(name).orElse(null);
  }
}

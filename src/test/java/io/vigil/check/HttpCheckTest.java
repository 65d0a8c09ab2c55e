package io.vigil.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SelfSignedCertificate;
import io.vigil.model.CheckResult;
import io.vigil.model.Reason;
import io.vigil.testsupport.CheckHarness;
import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.TestPorts;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The http check against a Vert.x server in the test that misbehaves on demand, by path. */
class HttpCheckTest {
  private static Vertx vertx;
  private static HttpServer server;
  private static HttpServer tls;
  private static final AtomicInteger tlsConnections = new AtomicInteger();
  private static long certNotAfter;

  private static long certificateNotAfter(String pem) {
    try (InputStream in = Files.newInputStream(Path.of(pem))) {
      return ((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in))
          .getNotAfter().toInstant().getEpochSecond();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    Buffer megabyte = Buffer.buffer(new byte[64 * 1024]);
    server = MonitorFixture.await(vertx.createHttpServer().requestHandler(req -> {
      HttpServerResponse res = req.response();
      switch (req.path()) {
        case "/healthy" -> res.putHeader("content-type", "application/json").end("{\"status\":\"healthy\",\"db\":{\"ok\":true}}");
        case "/sick" -> res.end("{\"status\":\"sick\"}");
        case "/text" -> res.end("all good, I promise");
        case "/error" -> res.setStatusCode(500).end("boom");
        case "/slow" -> vertx.setTimer(300, id -> res.end("{\"status\":\"healthy\"}"));
        case "/jitter" -> vertx.setTimer(req.getParam("ms") == null ? 0 : Long.parseLong(req.getParam("ms")), id -> res.end("ok"));
        case "/hang" -> { } // never answers
        case "/endless" -> {
          res.setChunked(true);
          long t = vertx.setPeriodic(1, id -> {
            if (!res.closed() && !res.writeQueueFull()) {
              res.write(megabyte);
            }
          });
          res.closeHandler(v -> vertx.cancelTimer(t));
        }
        case "/trickle" -> {
          res.setChunked(true);
          long t = vertx.setPeriodic(50, id -> {
            if (!res.closed()) {
              res.write("x");
            }
          });
          res.closeHandler(v -> vertx.cancelTimer(t));
        }
        default -> res.setStatusCode(404).end();
      }
    }).listen(0, "127.0.0.1"));
    // A certificate of 30 days (Vert.x's self-signed one runs to the year 9999, past any sane cert-days).
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("vigil-httpcheck-tls");
    Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
        "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString(), "-days", "30",
        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost").redirectErrorStream(true).start();
    String opensslOut = new String(openssl.getInputStream().readAllBytes());
    if (openssl.waitFor() != 0) {
      throw new IllegalStateException("openssl req failed: " + opensslOut);
    }
    certNotAfter = certificateNotAfter(dir.resolve("cert.pem").toString());
    tls = MonitorFixture.await(vertx.createHttpServer(new HttpServerOptions().setSsl(true)
            .setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions()
                .setCertPath(dir.resolve("cert.pem").toString()).setKeyPath(dir.resolve("key.pem").toString())))
        .connectionHandler(c -> tlsConnections.incrementAndGet())
        .requestHandler(req -> req.response().end("{\"status\":\"healthy\"}")).listen(0, "127.0.0.1"));
    // A cold JVM's first TLS handshake (provider and SecureRandom set-up) can take longer than the
    // tests' 1 s timeout on a busy machine: warm it up, so the tests judge the check, not start-up.
    Check warm = Checks.create(vertx, AbortTest.config(
        "type: http, url: \"https://localhost:" + tls.actualPort() + "/\", verify-tls: false"));
    MonitorFixture.await(new CheckRunner(vertx, "warm", "http", warm, java.time.Duration.ofSeconds(8),
        io.vigil.config.Secrets.none()).run());
    MonitorFixture.await(warm.close());
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  private static CheckResult probe(String path, String extra) {
    try (CheckHarness c = CheckHarness.of(vertx, "type: http, url: \"http://127.0.0.1:" + server.actualPort() + path + "\"" + extra)) {
      return c.probe();
    }
  }

  @Test
  void upWhenStatusAndJsonFieldsMatch() {
    CheckResult r = probe("/healthy", ", expect: { status: [200], json: { status: healthy, db.ok: \"true\" } }");
    assertTrue(r.ok(), r.toString());
    assertEquals(200, r.data().get("statusCode"));
  }

  @Test
  void unexpectedStatusIsHttpStatus() {
    CheckResult r = probe("/error", ", expect: { status: [200] }");
    assertEquals(Reason.HTTP_STATUS, r.reason());
    assertEquals("HTTP 500 (expected [200]): boom", r.message(), "the body's start says what the target saw");
    assertEquals(Reason.HTTP_STATUS, probe("/error", "").reason(), "without expect.status any 2xx/3xx is fine, 500 is not");
  }

  @Test
  void jsonFieldWithAnotherValueIsAnAssertion() {
    CheckResult r = probe("/sick", ", expect: { json: { status: healthy } }");
    assertEquals(Reason.ASSERTION, r.reason());
    assertEquals("JSON status is \"sick\", expected \"healthy\"", r.message());
  }

  @Test
  void bodyThatIsNotJsonFailsAJsonAssertion() {
    assertEquals("body is not JSON", probe("/text", ", expect: { json: { status: healthy } }").message());
  }

  @Test
  void missingSubstringIsAnAssertion() {
    assertTrue(probe("/text", ", expect: { body-contains: good }").ok());
    assertEquals("body does not contain \"bad\"", probe("/text", ", expect: { body-contains: bad }").message());
  }

  @Test
  void answerSlowerThanTheLatencyLimitIsAnAssertion() {
    CheckResult r = probe("/slow", ", expect: { max-latency: 100ms }");
    assertEquals(Reason.ASSERTION, r.reason());
    assertTrue(r.message().endsWith("over the 100ms limit"), r.message());
  }

  @Test
  void targetThatHangsIsATimeout() {
    CheckResult r = probe("/hang", "");
    assertEquals(Reason.TIMEOUT, r.reason());
    assertEquals("no answer within 1s", r.message());
  }

  @Test
  void endlessBodyIsCutAtTheCapAsAProtocolError() {
    CheckResult r = probe("/endless", "");
    assertEquals(Reason.PROTOCOL, r.reason(), r.toString());
    assertEquals("response body larger than 1048576 bytes", r.message());
  }

  @Test
  void tricklingBodyIsATimeout() {
    assertEquals(Reason.TIMEOUT, probe("/trickle", "").reason());
  }

  @Test
  void refusedConnectionIsConnectionRefused() {
    try (CheckHarness c = CheckHarness.of(vertx, "type: http, url: \"http://127.0.0.1:" + TestPorts.closed() + "/\"")) {
      assertEquals(Reason.CONNECTION_REFUSED, c.probe().reason());
    }
  }

  @Test
  void unresolvableHostIsDns() {
    try (CheckHarness c = CheckHarness.of(vertx, "type: http, url: \"http://no-such-host.invalid/health\"")) {
      assertEquals(Reason.DNS, c.probe().reason());
    }
  }

  @Test
  void untrustedCertificateIsTls() {
    try (CheckHarness c = CheckHarness.of(vertx, "type: http, url: \"https://localhost:" + tls.actualPort() + "/\"")) {
      CheckResult r = c.probe();
      assertEquals(Reason.TLS, r.reason(), r.toString());
    }
  }

  @Test
  void certificateDaysAreMeasuredAndJudged() {
    String base = "type: http, url: \"https://localhost:" + tls.actualPort() + "/\", verify-tls: false";
    try (CheckHarness c = CheckHarness.of(vertx, base + ", expect: { cert-days: 1 }")) {
      CheckResult r = c.probe();
      assertTrue(r.ok(), r.toString());
      assertTrue(((Number) r.data().get("certDaysLeft")).longValue() > 1);
    }
    try (CheckHarness c = CheckHarness.of(vertx, base + ", expect: { cert-days: 365 }")) {
      CheckResult r = c.probe();
      assertEquals(Reason.TLS, r.reason());
      assertTrue(r.message().startsWith("certificate expires in "), r.message());
    }
  }

  @Test
  void overTlsTheCertificateExpiryIsInTheDataFromTheRequestsOwnConnection() {
    String base = "type: http, url: \"https://localhost:" + tls.actualPort() + "/\", verify-tls: false";
    try (CheckHarness c = CheckHarness.of(vertx, base)) {
      int before = tlsConnections.get();
      CheckResult r = c.probe();
      assertTrue(r.ok(), r.toString());
      assertEquals(certNotAfter, r.data().get("certNotAfter"), "epoch seconds of the certificate's notAfter");
      assertEquals(1, tlsConnections.get() - before, "one connection, one handshake: no second one for the certificate");
    }
  }

  @Test
  void overPlainHttpThereIsNoCertificateExpiry() {
    CheckResult r = probe("/healthy", "");
    assertTrue(r.ok(), r.toString());
    assertNull(r.data().get("certNotAfter"));
    assertNull(r.data().get("certDaysLeft"));
  }

  @Test
  void manyProbesThatTimeOutLogNoSevereErrors() {
    // Vert.x 5.0.10 logs "Promise already completed" (SEVERE) when a request timeout fires for a
    // request that already ended; this check must not provoke it.
    List<String> severe = new CopyOnWriteArrayList<>();
    Handler h = new Handler() {
      @Override
      public void publish(LogRecord r) {
        if (r.getLevel().intValue() >= Level.SEVERE.intValue()) {
          severe.add(r.getLoggerName() + ": " + r.getMessage() + " " + r.getThrown());
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger.getLogger("").addHandler(h);
    int timeouts = 0;
    try (CheckHarness c = CheckHarness.of(vertx, "type: http, url: \"http://127.0.0.1:" + server.actualPort() + "/jitter?ms=1000\"")) {
      for (int i = 0; i < 5; i++) {
        if (c.probe().reason() == Reason.TIMEOUT) {
          timeouts++;
        }
      }
    } finally {
      Logger.getLogger("").removeHandler(h);
    }
    assertEquals(5, timeouts);
    assertEquals(List.of(), severe);
  }
}

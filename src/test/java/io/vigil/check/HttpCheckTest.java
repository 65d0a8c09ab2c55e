package io.vigil.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SelfSignedCertificate;
import io.vigil.status.CheckResult;
import io.vigil.status.Reason;
import io.vigil.testsupport.CheckHarness;
import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.TestPorts;
import java.util.List;
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

  @BeforeAll
  static void start() {
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
    SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
    tls = MonitorFixture.await(vertx.createHttpServer(new HttpServerOptions().setSsl(true)
            .setKeyCertOptions(cert.keyCertOptions()))
        .requestHandler(req -> req.response().end("{\"status\":\"healthy\"}")).listen(0, "127.0.0.1"));
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
    assertEquals("HTTP 500 (expected [200])", r.message());
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
    try (CheckHarness c = CheckHarness.of(vertx, base + ", expect: { cert-days: 5000000 }")) {
      CheckResult r = c.probe();
      assertEquals(Reason.TLS, r.reason());
      assertTrue(r.message().startsWith("certificate expires in "), r.message());
    }
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

package io.vigil.metrics;

import static io.vigil.testsupport.MonitorFixture.await;
import static io.vigil.testsupport.MonitorFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SelfSignedCertificate;
import io.vigil.model.CheckState;
import io.vigil.model.DisplayState;
import io.vigil.model.Observation;
import io.vigil.model.Reason;
import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What {@code /metrics} holds from the start, and what its labels never hold. */
class MetricLabelsTest {
  private static final Pattern SERIES = Pattern.compile("^([a-z_]+)\\{([^}]*)} (\\S+)$", Pattern.MULTILINE);
  private static final Pattern LABEL = Pattern.compile("([a-z_]+)=\"((?:[^\"\\\\]|\\\\.)*)\"");
  // Written apart from the filter it checks, so that the two cannot share a blind spot.
  private static final Pattern HOST_PORT = Pattern.compile(".*(127\\.0\\.0\\.1|localhost|:\\d{2,5}).*");
  private static final Pattern UUID = Pattern.compile(".*[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}.*");

  private static final String FAST = "interval: 200ms, timeout: 150ms";

  @Test
  void everyReasonStateAndTransitionCounterOfACheckExistsAtZeroBeforeItsFirstFailure() {
    try (MonitorFixture m = MonitorFixture.start("checks: {}")) {
      m.register("queue", () -> Future.succeededFuture(Observation.up()), MonitorFixture.FAST);
      eventually(Duration.ofSeconds(10), "queue UP", () -> m.status("/health/checks/queue") == 200);
      String metrics = m.get("/metrics").body();
      for (Reason r : Reason.values()) {
        assertEquals(0.0, value(metrics, "vigil_check_failures_total{check=\"queue\",reason=\"" + r.label() + "\"}"));
      }
      for (CheckState s : CheckState.values()) {
        assertTrue(value(metrics, "vigil_check_transitions_total{check=\"queue\",to=\"" + s.name() + "\"}")
            == (s == CheckState.UP ? 1.0 : 0.0), s.name());
      }
      for (DisplayState s : DisplayState.values()) {
        assertEquals(s == DisplayState.UP ? 1.0 : 0.0, value(metrics, "vigil_check_state{check=\"queue\",state=\"" + s + "\"}"));
      }
      assertEquals(0.0, value(metrics, "vigil_check_probes_total{check=\"queue\",outcome=\"failure\",type=\"custom\"}"));
      assertFalse(metrics.contains("vigil_check_cert_expiry_timestamp_seconds{check=\"queue\""),
          "no certificate gauge for a check that never reported one");
    }
  }

  @Test
  void noLabelValueHoldsAHostAPortOrAUuidWithRealHttpRedisPostgresAndTcpChecks() throws Exception {
    Vertx targetVertx = Vertx.vertx();
    try {
      HttpServer target = await(targetVertx.createHttpServer().requestHandler(req -> req.response().end("ok"))
          .listen(0, "127.0.0.1"));
      String redis = TestServers.redisUri();
      try (MonitorFixture m = MonitorFixture.start("""
          checks:
            defaults: { %s }
            web: { type: http, url: "http://127.0.0.1:%d/" }
            cache: { type: redis, uri: "%s" }
            db: { type: postgres, uri: "%s" }
            port: { type: tcp, host: 127.0.0.1, port: %d }
          """.formatted(FAST, target.actualPort(), redis, TestServers.postgresUri(), target.actualPort()))) {
        eventually(Duration.ofSeconds(10), "all UP", () -> m.status("/health/ready") == 200);
        m.get("/health"); // so that server-side meters exist too
        String metrics = m.get("/metrics").body();
        assertTrue(metrics.contains("vertx_pool_in_use{"), "pool meters are there to be checked");
        List<String> bad = new ArrayList<>();
        Matcher series = SERIES.matcher(metrics);
        int labels = 0;
        while (series.find()) {
          Matcher label = LABEL.matcher(series.group(2));
          while (label.find()) {
            labels++;
            String value = label.group(2);
            if (HOST_PORT.matcher(value).matches() || UUID.matcher(value).matches()) {
              bad.add(series.group(1) + "{" + label.group(1) + "=\"" + value + "\"}");
            }
          }
        }
        assertTrue(labels > 100, "labels were read: " + labels);
        assertEquals(List.of(), bad, "label values with a host, port or UUID");
      }
    } finally {
      await(targetVertx.close());
    }
  }

  @Test
  void aCertificateReportedByAProbeBecomesAnExpiryGaugeThatOutlivesAFailedHandshake() {
    AtomicBoolean handshake = new AtomicBoolean(true);
    try (MonitorFixture m = MonitorFixture.start("checks: {}")) {
      m.register("tls", () -> Future.succeededFuture(handshake.get()
          ? Observation.up(Map.of(CheckMetrics.CERT_NOT_AFTER, 1_893_456_000L))
          : Observation.down(Reason.TLS, "handshake failed")), MonitorFixture.FAST);
      eventually(Duration.ofSeconds(10), "the gauge", () -> m.get("/metrics").body()
          .contains("vigil_check_cert_expiry_timestamp_seconds{check=\"tls\"}"));
      assertEquals(1.893456E9, value(m.get("/metrics").body(), "vigil_check_cert_expiry_timestamp_seconds{check=\"tls\"}"));
      handshake.set(false);
      eventually(Duration.ofSeconds(10), "tls failing", () -> m.status("/health/checks/tls") == 503);
      assertEquals(1.893456E9, value(m.get("/metrics").body(), "vigil_check_cert_expiry_timestamp_seconds{check=\"tls\"}"),
          "the certificate did not change because a probe failed before seeing it");
    }
  }

  @Test
  void anHttpsCheckExportsTheExpiryOfTheCertificateItsTargetServes() throws Exception {
    Vertx targetVertx = Vertx.vertx();
    try {
      SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
      HttpServer tls = await(targetVertx.createHttpServer(new HttpServerOptions().setSsl(true)
          .setKeyCertOptions(cert.keyCertOptions())).requestHandler(req -> req.response().end("ok")).listen(0, "127.0.0.1"));
      long notAfter;
      try (var in = Files.newInputStream(Path.of(cert.certificatePath()))) {
        notAfter = ((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in))
            .getNotAfter().getTime() / 1000;
      }
      try (MonitorFixture m = MonitorFixture.start("""
          checks:
            defaults: { interval: 1s, timeout: 900ms }
            web: { type: http, url: "https://127.0.0.1:%d/", verify-tls: false }
            plain: { type: tcp, host: 127.0.0.1, port: %d }
          """.formatted(tls.actualPort(), tls.actualPort()))) {
        eventually(Duration.ofSeconds(10), "web UP", () -> m.status("/health/checks/web") == 200);
        String metrics = m.get("/metrics").body();
        assertEquals((double) notAfter, value(metrics, "vigil_check_cert_expiry_timestamp_seconds{check=\"web\"}"));
        assertFalse(metrics.contains("vigil_check_cert_expiry_timestamp_seconds{check=\"plain\"}"), "no TLS, no gauge");
      }
    } finally {
      await(targetVertx.close());
    }
  }

  static double value(String metrics, String series) {
    Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(metrics);
    assertTrue(m.find(), "no series " + series);
    return Double.parseDouble(m.group(1));
  }
}

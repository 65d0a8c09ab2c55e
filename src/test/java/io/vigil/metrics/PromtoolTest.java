package io.vigil.metrics;

import static io.vigil.testsupport.MonitorFixture.FAST;
import static io.vigil.testsupport.MonitorFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.model.Reason;
import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.SwitchableCheck;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code /metrics} passes Prometheus' own linter, with failures, transitions, states, a certificate and JVM metrics present. */
class PromtoolTest {

  @Test
  void metricsPassPromtoolCheckMetrics() throws Exception {
    Path promtool = Path.of("/usr/bin/promtool");
    if (!Files.isExecutable(promtool)) {
      throw new AssertionError("promtool is missing: apt-get install -y prometheus (.ci/run installs it)");
    }
    try (MonitorFixture m = MonitorFixture.start("checks: {}")) {
      SwitchableCheck flappy = new SwitchableCheck();
      m.register("flappy", flappy, FAST);
      m.register("steady", new SwitchableCheck(), FAST.withCritical(false));
      m.register("tls", () -> io.vertx.core.Future.succeededFuture(
          io.vigil.model.Observation.up(java.util.Map.of(CheckMetrics.CERT_NOT_AFTER, 1_893_456_000L))), FAST);
      flappy.fail(Reason.TIMEOUT, "slow");
      eventually(Duration.ofSeconds(10), "flappy down", () -> m.status("/health/checks/flappy") == 503);
      flappy.up();
      eventually(Duration.ofSeconds(10), "flappy up", () -> m.status("/health/checks/flappy") == 200);
      eventually(Duration.ofSeconds(10), "certificate gauge", () -> m.get("/metrics").body().contains("vigil_check_cert_expiry"));
      String metrics = m.get("/metrics").body();
      Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
      p.getOutputStream().write(metrics.getBytes(StandardCharsets.UTF_8));
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("promtool did not finish");
      }
      assertEquals("", out.trim(), "promtool output");
      assertEquals(0, p.exitValue(), out);
    }
  }
}

package io.vigil.engine;

import static io.vigil.testsupport.MonitorFixture.await;
import static io.vigil.testsupport.MonitorFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vigil.config.Secrets;
import io.vigil.metrics.CheckMetrics;
import io.vigil.model.CheckOptions;
import io.vigil.model.Clock;
import io.vigil.testsupport.SwitchableCheck;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A probe that starts late says so: an event loop kept busy (here by other work on the check's only
 * event loop, in slices under the blocked-thread limit) delays the check's timer, and
 * {@code vigil_probe_schedule_lag_seconds} records by how much, for the VigilProbesLate alert.
 */
class ScheduleLagTest {
  private static final Pattern MAX = Pattern.compile("(?m)^vigil_probe_schedule_lag_seconds_max (\\S+)$");

  @Test
  void aBusyEventLoopShowsAsScheduleLagInTheMetric() throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    try {
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      CheckMetrics metrics = new CheckMetrics(registry, "test");
      List<Long> lags = new CopyOnWriteArrayList<>();
      CheckOptions every100ms = CheckOptions.DEFAULTS.withInterval(Duration.ofMillis(100))
          .withTimeout(Duration.ofMillis(50)).withMaxAge(Duration.ofSeconds(5));
      await(vertx.deployVerticle(new CheckVerticle("busy", "custom", every100ms, SwitchableCheck::new, Secrets.none(),
          r -> { }, Clock.SYSTEM, () -> true, late -> {
            lags.add(late);
            metrics.scheduleLag(late);
          })));
      eventually(Duration.ofSeconds(5), "three rounds", () -> lags.size() >= 3);
      for (int i = 0; i < 8; i++) {
        vertx.runOnContext(v -> spin(Duration.ofMillis(150))); // the same (only) event loop: 1.2 s busy
      }
      eventually(Duration.ofSeconds(10), "a round that started 0.8 s late or more",
          () -> lags.stream().anyMatch(n -> n >= TimeUnit.MILLISECONDS.toNanos(800)));
      Matcher max = MAX.matcher(registry.scrape());
      assertTrue(max.find(), "vigil_probe_schedule_lag_seconds_max in: " + registry.scrape());
      assertTrue(Double.parseDouble(max.group(1)) >= 0.8, "the metric's max: " + max.group(1));
    } finally {
      await(vertx.close());
    }
  }

  private static void spin(Duration d) {
    long end = System.nanoTime() + d.toNanos();
    while (System.nanoTime() < end) {
      Thread.onSpinWait();
    }
  }
}

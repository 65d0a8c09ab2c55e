package io.vigil.embed;

import static io.vigil.testsupport.MonitorFixture.await;
import static io.vigil.testsupport.MonitorFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vigil.HealthMonitor;
import io.vigil.model.Observation;
import io.vigil.model.CheckOptions;
import io.vigil.config.ConfigLoader;
import io.vigil.config.VigilConfig;
import io.vigil.model.CheckState;
import io.vigil.model.Reason;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A plain Vert.x application that embeds Vigil: its own router, its own check written in code. */
class EmbeddedMonitorTest {

  @Test
  void applicationMountsTheHealthRoutesAndRegistersACustomCheck() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      VigilConfig config = new ConfigLoader(Map.of()).parse("checks: {}", "embedded");
      HealthMonitor monitor = HealthMonitor.create(vertx, config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
      await(monitor.start());

      AtomicBoolean queueHealthy = new AtomicBoolean(true);
      // The queue answers at once: a timeout of the whole interval and a long max-age keep a loaded
      // machine's stall from failing it (seen with 50 ms), while "hangs" still times out every round.
      CheckOptions options = CheckOptions.DEFAULTS.withInterval(Duration.ofMillis(100))
          .withTimeout(Duration.ofMillis(100)).withMaxAge(Duration.ofSeconds(5)).withThresholds(2, 1);
      await(monitor.register("queue", () -> Future.succeededFuture(
          queueHealthy.get() ? Observation.up(Map.of("depth", 3)) : Observation.down(Reason.UNAVAILABLE, "queue full")), options));
      await(monitor.register("hangs", () -> io.vertx.core.Promise.<Observation>promise().future(),
          options.withCritical(false).withDependsOn(List.of("queue"))));

      Router app = Router.router(vertx);
      app.get("/hello").handler(ctx -> ctx.end("hi"));
      app.route("/ops/*").subRouter(monitor.healthRouter());
      app.get("/ops/prom").handler(monitor.metricsHandler());
      HttpServer server = await(vertx.createHttpServer().requestHandler(app).listen(0, "127.0.0.1"));
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + server.actualPort();

      // Startup latches once every check known at that moment has reported (README, Status rules), so
      // wait for both registered checks' first results rather than for startup alone.
      eventually(Duration.ofSeconds(10), "both checks reported",
          () -> monitor.checkHealth().checks().stream().allMatch(c -> c.lastResultAt() != null));
      assertTrue(monitor.startup());
      assertTrue(monitor.liveness());
      assertTrue(monitor.readiness(), "the non-critical hanging check does not block readiness");
      assertEquals(200, get(http, base + "/ops/health/ready").statusCode());
      assertEquals("hi", get(http, base + "/hello").body());
      String health = get(http, base + "/ops/health").body();
      assertTrue(health.contains("\"depth\":3"), "a custom check's data shows in /health: " + health);
      assertTrue(health.contains("\"reason\":\"timeout\""), "a check that never completes is a timeout: " + health);
      assertTrue(get(http, base + "/ops/prom").body().contains("vigil_check_up{check=\"queue\""));

      queueHealthy.set(false);
      eventually(Duration.ofSeconds(10), "queue DOWN after 2 failures", () -> !monitor.readiness());
      assertEquals(CheckState.DOWN, monitor.checkHealth().check("queue").orElseThrow().state());
      HealthMonitor.Dependency hangs = monitor.dependencies().get("hangs");
      assertEquals(List.of("queue"), hangs.dependsOn());
      assertEquals(503, get(http, base + "/ops/health/ready").statusCode());

      Throwable bad = monitor.register("no such", () -> Future.succeededFuture(Observation.up()), options)
          .toCompletionStage().toCompletableFuture().handle((v, e) -> e).get();
      assertTrue(bad.getMessage().contains("must use letters"), bad.getMessage());
      Throwable dup = monitor.register("queue", () -> Future.succeededFuture(Observation.up()), options)
          .toCompletionStage().toCompletableFuture().handle((v, e) -> e).get();
      assertEquals("a check named \"queue\" exists already", dup.getMessage());
      var procedures = monitor.healthChecks();
      var outcome = await(procedures.checkStatus("queue"));
      assertFalse(outcome.getUp());
    } finally {
      await(vertx.close());
    }
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }
}

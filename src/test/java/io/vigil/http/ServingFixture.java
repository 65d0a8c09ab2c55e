package io.vigil.http;

import io.vigil.testsupport.MonitorFixture;

import static io.vigil.testsupport.MonitorFixture.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vigil.config.ConfigLoader;
import io.vigil.config.ServerConfig;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;

/**
 * The HTTP side alone, as the program deploys it ({@link Serving}, {@link HttpListeners}, several
 * {@link HttpVerticle} instances), in front of a {@link FakeBoard} the test drives: no engine, no
 * checks, every shared part reachable.
 */
final class ServingFixture implements AutoCloseable {
  final Vertx vertx;
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final FakeBoard board;
  final Serving serving;
  final HttpListeners listeners;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private ServingFixture(String server, FakeBoard board, int instances, int ring, long batchMs) {
    this.board = board;
    vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
            .setLabels(EnumSet.of(Label.EB_ADDRESS, Label.EB_SIDE, Label.HTTP_CODE))
            .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
    ServerConfig config = new ConfigLoader(Map.of()).parse("server: { host: 127.0.0.1, port: 0, " + server + " }\nchecks: {}",
        "fixture.yaml").server();
    serving = new Serving(vertx, board, config, registry, ring, batchMs);
    listeners = new HttpListeners(config);
    ServingMetrics.register(registry, listeners, serving);
    await(serving.hub());
    await(vertx.deployVerticle(() -> new HttpVerticle(serving, listeners), new DeploymentOptions().setInstances(instances)));
  }

  /** {@code server} is the inside of the YAML {@code server:} mapping after host and port, e.g. {@code max-connections: 5}. */
  static ServingFixture start(String server, int checks, int instances, int ring, long batchMs) {
    return new ServingFixture(server, new FakeBoard(checks), instances, ring, batchMs);
  }

  static ServingFixture start(String server) {
    return start(server, 3, 2, EventHub.RING, EventHub.BATCH_MS);
  }

  int port() {
    return listeners.port();
  }

  EventHub hub() {
    return serving.hub().result();
  }

  HttpResponse<String> get(String path, String... headers) {
    return get(port(), path, headers);
  }

  HttpResponse<String> get(int port, String path, String... headers) {
    return MonitorFixture.get(http, port, path, Duration.ofSeconds(10), headers);
  }

  @Override
  public void close() {
    await(vertx.close());
  }
}

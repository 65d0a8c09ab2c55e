package io.vigil;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vigil.cluster.Membership;
import io.vigil.model.Clock;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vigil.bus.EventJson;
import io.vigil.check.Check;
import io.vigil.config.Secrets;
import io.vigil.config.VigilConfig;
import io.vigil.engine.Engine;
import io.vigil.engine.MonitorView;
import io.vigil.http.MetricsHandler;
import io.vigil.http.Routes;
import io.vigil.metrics.CheckMetrics;
import io.vigil.model.CheckOptions;
import io.vigil.model.CheckState;
import io.vigil.model.CheckStatus;
import io.vigil.model.Phase;
import io.vigil.model.Snapshot;
import io.vigil.model.Version;
import io.vigil.shutdown.Drainable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Vigil as a library: watches the configured checks (and any registered in code) on a Vert.x
 * instance the caller owns, and serves what it sees. A thin facade over the {@link Engine} and the
 * HTTP routes; the {@code vigil} program is one user of it.
 */
public final class HealthMonitor implements Drainable {
  /** A node of the {@code depends-on} graph with its state now. */
  public record Dependency(String name, CheckState state, List<String> dependsOn, String cause) {}

  private final Vertx vertx;
  private final VigilConfig config;
  private final PrometheusMeterRegistry registry;
  private final Engine engine;

  private HealthMonitor(Vertx vertx, VigilConfig config, PrometheusMeterRegistry registry, String version,
      Membership membership) {
    this.vertx = vertx;
    this.config = config;
    this.registry = registry;
    this.engine = new Engine(vertx, config, new CheckMetrics(registry, version, config.latencyHistogram()),
        Clock.SYSTEM, membership);
  }

  /** A monitor for {@code config}; call {@link #start()} to begin checking. */
  public static HealthMonitor create(Vertx vertx, VigilConfig config, PrometheusMeterRegistry registry) {
    return new HealthMonitor(vertx, config, registry, Version.get(), Membership.SINGLE);
  }

  /** A monitor that is one member of a cluster of Vigils on a clustered {@code vertx}. */
  public static HealthMonitor create(Vertx vertx, VigilConfig config, PrometheusMeterRegistry registry,
      Membership membership) {
    return new HealthMonitor(vertx, config, registry, Version.get(), membership);
  }

  /** Deploys the board, then one verticle per configured check. */
  public Future<Void> start() {
    return engine.start();
  }

  /** Adds a check written in code; it is wrapped like the built-in types (timeout, never fails, thresholds). */
  public Future<Void> register(String name, Check check, CheckOptions options) {
    return engine.register(name, check, options);
  }

  /** The current snapshot: every check's state and the overall state. Never does I/O. */
  public Snapshot checkHealth() {
    return engine.snapshot();
  }

  /** The read-only view the HTTP handlers serve from. */
  public MonitorView view() {
    return engine;
  }

  /** True while the monitor's own event loops answer; never tied to a dependency. */
  public boolean liveness() {
    return engine.live();
  }

  /** True when started, not draining, and every check of the readiness group is UP. */
  public boolean readiness() {
    return engine.ready();
  }

  /** True once every check has reported at least once. */
  public boolean startup() {
    return engine.started();
  }

  /** Which checks readiness follows: the critical ones, or {@code probes.readiness.checks}. */
  public Predicate<CheckStatus> readinessGroup() {
    return engine.readinessGroup();
  }

  /** The {@code depends-on} graph with each node's state, in check order. */
  public Map<String, Dependency> dependencies() {
    Map<String, Dependency> graph = new LinkedHashMap<>();
    for (CheckStatus c : engine.snapshot().checks()) {
      graph.put(c.name(), new Dependency(c.name(), c.state(), c.dependsOn(), c.cause()));
    }
    return graph;
  }

  /** The secrets scrubber built from the configuration: for callers that log what they saw. */
  public Secrets secrets() {
    return engine.secrets();
  }

  /**
   * The routes to mount: probes with their aliases, {@code /health}, {@code /health/checks/:name},
   * {@code /metrics}, {@code /events} (SSE) and the status page at {@code /}.
   */
  public Router healthRouter() {
    return Routes.router(vertx, engine, config.server(), registry);
  }

  /** Serves Prometheus text (OpenMetrics on request, JSON with {@code ?format=json}). */
  public Handler<RoutingContext> metricsHandler() {
    return new MetricsHandler(registry, engine);
  }

  /**
   * The board's checks as vertx-health-check procedures. Each completes at once from the snapshot,
   * so this never runs I/O however it is served.
   */
  public HealthChecks healthChecks() {
    HealthChecks checks = HealthChecks.create(vertx);
    for (CheckStatus c : engine.snapshot().checks()) {
      checks.register(c.name(), promise -> {
        CheckStatus now = engine.snapshot().check(c.name()).orElse(c);
        promise.complete(new Status().setOk(now.up()).setData(EventJson.data(now)));
      });
    }
    return checks;
  }

  @Override
  public Future<Void> drain() {
    return engine.drain();
  }

  @Override
  public Future<Void> stop() {
    return engine.stop();
  }

  @Override
  public Future<Void> publish(Phase phase) {
    return engine.publish(phase);
  }
}

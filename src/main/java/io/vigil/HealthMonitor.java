package io.vigil;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vigil.bus.Addresses;
import io.vigil.bus.BoardVerticle;
import io.vigil.bus.EventJson;
import io.vigil.bus.Phase;
import io.vigil.check.Check;
import io.vigil.check.CheckType;
import io.vigil.check.CheckVerticle;
import io.vigil.config.CheckConfig;
import io.vigil.config.CheckOptions;
import io.vigil.config.Secrets;
import io.vigil.config.VigilConfig;
import io.vigil.http.EventStream;
import io.vigil.http.HealthHandlers;
import io.vigil.http.MetricsHandler;
import io.vigil.http.StatusPage;
import io.vigil.metrics.CheckMetrics;
import io.vigil.status.CheckSpec;
import io.vigil.status.CheckState;
import io.vigil.status.CheckStatus;
import io.vigil.status.Snapshot;
import io.vigil.status.StatusBoard;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Vigil as a library: watches the configured checks (and any registered in code) on a Vert.x
 * instance the caller owns, and serves what it sees. The {@code vigil} program is one user of this.
 */
public final class HealthMonitor {
  /** A node of the {@code depends-on} graph with its state now. */
  public record Dependency(String name, CheckState state, List<String> dependsOn, String cause) {}

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
  private static final long LIVENESS_STALL_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final Vertx vertx;
  private final VigilConfig config;
  private final PrometheusMeterRegistry registry;
  private final CheckMetrics metrics;
  private final StatusBoard board;
  private final BoardVerticle boardVerticle;
  private final Secrets secrets;
  private final List<String> checkDeployments = Collections.synchronizedList(new ArrayList<>());
  private String boardDeployment;
  /** Set first thing when draining starts, so readiness flips with no hop to the board's context. */
  private volatile boolean draining;

  private HealthMonitor(Vertx vertx, VigilConfig config, PrometheusMeterRegistry registry, String version) {
    this.vertx = vertx;
    this.config = config;
    this.registry = registry;
    this.metrics = new CheckMetrics(registry, version);
    List<CheckSpec> specs = config.checks().stream()
        .map(c -> new CheckSpec(c.name(), c.type(), c.options())).toList();
    this.board = new StatusBoard(specs, config.readinessChecks(), Instant.now());
    this.boardVerticle = new BoardVerticle(board, metrics);
    List<String> secretValues = new ArrayList<>();
    config.checks().forEach(c -> secretValues.addAll(c.settings().secrets()));
    secretValues.add(config.server().token());
    this.secrets = new Secrets(secretValues);
  }

  /** A monitor for {@code config}; call {@link #start()} to begin checking. */
  public static HealthMonitor create(Vertx vertx, VigilConfig config, PrometheusMeterRegistry registry) {
    return new HealthMonitor(vertx, config, registry, Version.get());
  }

  /** Deploys the board, then one verticle per configured check. */
  public Future<Void> start() {
    publish(Phase.STARTING);
    config.checks().forEach(c -> metrics.register(c.name(), c.type(), c.options().critical()));
    return vertx.deployVerticle(boardVerticle).compose(id -> {
      boardDeployment = id;
      List<Future<String>> deployments = new ArrayList<>();
      for (CheckConfig c : config.checks()) {
        CheckType type = CheckType.of(c.type()).orElseThrow();
        deployments.add(deployCheck(c.name(), c.type(), c.options(), () -> type.create(vertx, c)));
      }
      return Future.all(deployments).<Void>mapEmpty();
    });
  }

  /** Adds a check written in code; it is wrapped like the built-in types (timeout, never fails, thresholds). */
  public Future<Void> register(String name, Check check, CheckOptions options) {
    if (name == null || !NAME.matcher(name).matches()) {
      return Future.failedFuture(new IllegalArgumentException(
          "check name \"" + name + "\" must use letters, digits, '_', '.', '-' (at most 63)"));
    }
    return boardVerticle.add(new CheckSpec(name, "custom", options)).compose(v -> {
      metrics.register(name, "custom", options.critical());
      return deployCheck(name, "custom", options, () -> check).<Void>mapEmpty();
    });
  }

  private Future<String> deployCheck(String name, String type, CheckOptions options, java.util.function.Supplier<Check> check) {
    CheckVerticle v = new CheckVerticle(name, type, options, check, secrets, boardVerticle::submit);
    return vertx.deployVerticle(v).onSuccess(checkDeployments::add);
  }

  /** The current snapshot: every check's state and the overall state. Never does I/O. */
  public Snapshot checkHealth() {
    return board.snapshot();
  }

  /** True while the monitor's own event loops answer; never tied to a dependency. */
  public boolean liveness() {
    return boardDeployment != null && boardVerticle.sinceLastTickNanos() < LIVENESS_STALL_NANOS;
  }

  /** True when started, not draining, and every check of the readiness group is UP. */
  public boolean readiness() {
    return !draining && board.snapshot().ready();
  }

  /** True once every check has reported at least once. */
  public boolean startup() {
    return board.snapshot().started();
  }

  /** Which checks readiness follows: the critical ones, or {@code probes.readiness.checks}. */
  public Predicate<CheckStatus> readinessGroup() {
    List<String> group = config.readinessChecks();
    return group == null ? CheckStatus::critical : c -> group.contains(c.name());
  }

  /** The {@code depends-on} graph with each node's state, in check order. */
  public Map<String, Dependency> dependencies() {
    Map<String, Dependency> graph = new LinkedHashMap<>();
    for (CheckStatus c : board.snapshot().checks()) {
      graph.put(c.name(), new Dependency(c.name(), c.state(), c.dependsOn(), c.cause()));
    }
    return graph;
  }

  /** The secrets scrubber built from the configuration: for callers that log what they saw. */
  public Secrets secrets() {
    return secrets;
  }

  /**
   * The routes to mount: probes with their aliases, {@code /health}, {@code /health/checks/:name},
   * {@code /metrics}, {@code /events} (SSE) and the status page at {@code /}.
   */
  public Router healthRouter() {
    Router router = Router.router(vertx);
    HealthHandlers h = new HealthHandlers(this, config.server());
    get(router, h::live, "/health/live", "/livez");
    get(router, h::startup, "/health/startup", "/health/started");
    get(router, h::ready, "/health/ready", "/readyz");
    get(router, h::health, "/health");
    get(router, h::check, "/health/checks/:name");
    get(router, metricsHandler(), "/metrics");
    router.get("/events").handler(new EventStream(vertx, this, h::detailsAllowed));
    get(router, new StatusPage(), "/");
    return router;
  }

  private static void get(Router router, Handler<RoutingContext> handler, String... paths) {
    for (String p : paths) {
      router.route(p).method(HttpMethod.GET).method(HttpMethod.HEAD).handler(handler);
    }
  }

  /** Serves Prometheus text (OpenMetrics on request, JSON with {@code ?format=json}). */
  public Handler<RoutingContext> metricsHandler() {
    return new MetricsHandler(registry);
  }

  /**
   * The board's checks as vertx-health-check procedures. Each completes at once from the snapshot,
   * so this never runs I/O however it is served.
   */
  public HealthChecks healthChecks() {
    HealthChecks checks = HealthChecks.create(vertx);
    for (CheckStatus c : board.snapshot().checks()) {
      checks.register(c.name(), promise -> {
        CheckStatus now = board.snapshot().check(c.name()).orElse(c);
        promise.complete(new Status().setOk(now.up()).setData(EventJson.data(now)));
      });
    }
    return checks;
  }

  /** Starts draining: DRAINING is published and readiness turns false before this completes. */
  public Future<Void> drain() {
    draining = true;
    publish(Phase.DRAINING);
    return boardVerticle.drain();
  }

  /** Undeploys the check verticles (timers cancelled, clients closed), then the board. */
  public Future<Void> stop() {
    List<Future<Void>> undeploys = new ArrayList<>();
    synchronized (checkDeployments) {
      checkDeployments.forEach(id -> undeploys.add(vertx.undeploy(id)));
      checkDeployments.clear();
    }
    return Future.join(undeploys).transform(ar -> boardDeployment == null ? Future.<Void>succeededFuture()
        : vertx.undeploy(boardDeployment).onComplete(x -> boardDeployment = null));
  }

  /** Publishes a lifecycle phase on {@code vigil.lifecycle}. */
  public void publish(Phase phase) {
    vertx.eventBus().publish(Addresses.LIFECYCLE, EventJson.lifecycle(phase, Instant.now()));
  }
}

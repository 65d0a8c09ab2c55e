package io.vigil.engine;

import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vigil.bus.Addresses;
import io.vigil.bus.EventJson;
import io.vigil.check.Check;
import io.vigil.check.Checks;
import io.vigil.cluster.Membership;
import io.vigil.config.CheckConfig;
import io.vigil.config.Secrets;
import io.vigil.config.VigilConfig;
import io.vigil.metrics.CheckFamilies;
import io.vigil.metrics.CheckMetrics;
import io.vigil.maintenance.Maintenance;
import io.vigil.model.CheckOptions;
import io.vigil.model.CheckSpec;
import io.vigil.model.CheckStatus;
import io.vigil.model.Clock;
import io.vigil.model.Phase;
import io.vigil.model.Snapshot;
import io.vigil.notify.NotifyVerticle;
import io.vigil.status.StatusBoard;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Owns the board and the check schedulers on a Vert.x instance the caller owns: deploys the board,
 * one {@link CheckVerticle} per check, takes checks registered in code, drains and stops. Everything
 * else reads it through {@link MonitorView}.
 */
public final class Engine implements MonitorView {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
  /** Checks registered and deployed in one event-loop task (about 30 ms of it here). */
  static final int DEPLOY_BATCH = 64;
  private static final long LIVENESS_STALL_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final Vertx vertx;
  private final Clock clock;
  private final VigilConfig config;
  private final CheckMetrics metrics;
  private final StatusBoard board;
  private final BoardVerticle boardVerticle;
  private final Secrets secrets;
  private final Membership membership;
  private final Maintenance maintenance;
  private final List<String> checkDeployments = Collections.synchronizedList(new ArrayList<>());
  private final Queue<CheckVerticle> checkVerticles = new ConcurrentLinkedQueue<>();
  private volatile String boardDeployment;
  private volatile String notifyDeployment;
  /** Set once {@link #stop()} began: no check may be registered from then on. */
  private volatile boolean stopping;
  /** Set first thing when draining starts, so readiness flips with no hop to the board's context. */
  private volatile boolean draining;

  public Engine(Vertx vertx, VigilConfig config, CheckMetrics metrics) {
    this(vertx, config, metrics, Clock.SYSTEM);
  }

  /** {@code clock}: monotonic time for ages and staleness, wall time for the timestamps shown. */
  public Engine(Vertx vertx, VigilConfig config, CheckMetrics metrics, Clock clock) {
    this(vertx, config, metrics, clock, Membership.SINGLE);
  }

  /** {@code membership}: in a cluster, which checks this member probes and what it announces. */
  public Engine(Vertx vertx, VigilConfig config, CheckMetrics metrics, Clock clock, Membership membership) {
    this.membership = membership;
    this.vertx = vertx;
    this.clock = clock;
    this.config = config;
    this.metrics = metrics;
    List<CheckSpec> specs = config.checks().stream()
        .map(c -> new CheckSpec(c.name(), c.type(), c.options())).toList();
    this.maintenance = new Maintenance(config.maintenance().windows(), config.maintenance().readinessFollows());
    this.board = new StatusBoard(specs, config.readinessChecks(), clock, maintenance.readinessFollows());
    this.boardVerticle = new BoardVerticle(board, metrics, clock, membership, maintenance);
    List<String> secretValues = new ArrayList<>();
    config.checks().forEach(c -> secretValues.addAll(c.settings().secrets()));
    secretValues.add(config.server().token());
    config.notifiers().forEach(n -> secretValues.addAll(n.secrets()));
    this.secrets = new Secrets(secretValues);
  }

  /** Deploys the board, then one verticle per configured check. */
  public Future<Void> start() {
    membership.onChange(() -> checkVerticles.forEach(CheckVerticle::ownershipChanged));
    if (membership.clustered()) {
      metrics.owners(membership::owner);
    }
    publish(Phase.STARTING);
    return vertx.deployVerticle(boardVerticle).compose(id -> {
      boardDeployment = id;
      return config.notifiers().isEmpty() ? Future.succeededFuture()
          : vertx.deployVerticle(new NotifyVerticle(config.notifiers(), board::snapshot, membership::owns, secrets,
              metrics.registry(), clock)).onSuccess(n -> notifyDeployment = n);
    }).compose(n -> {
      Promise<Void> deployed = Promise.promise();
      deployChecks(config.checks(), 0, new ArrayList<>(config.checks().size()), vertx.getOrCreateContext(), deployed);
      return deployed.future();
    });
  }

  /**
   * Registers the meters of the configured checks and deploys them, {@value #DEPLOY_BATCH} at a
   * time, each batch a task of its own on {@code context} (an event loop): in one task, 3,000
   * checks' meters held the loop for 1.2 s, and asking for 10,000 deployments for 1.8 s more.
   */
  private void deployChecks(List<CheckConfig> checks, int from, List<Future<String>> deployments, Context context,
      Promise<Void> deployed) {
    int to = Math.min(from + DEPLOY_BATCH, checks.size());
    for (CheckConfig c : checks.subList(from, to)) {
      metrics.register(c.name(), c.type(), c.options().critical()); // before its first result
      // The probe is built in the verticle's start(), so its clients live on that event loop.
      deployments.add(deployCheck(c.name(), c.type(), c.options(), () -> Checks.create(vertx, c)));
    }
    if (to < checks.size()) {
      context.runOnContext(v -> deployChecks(checks, to, deployments, context, deployed));
    } else {
      Future.all(deployments).<Void>mapEmpty().onComplete(deployed);
    }
  }

  /**
   * Adds a check written in code; it is wrapped like the built-in types (timeout, never fails,
   * thresholds) and held to the same ranges as a configured one. Fails, with a message naming the
   * check and what is wrong, before {@link #start()}, after {@link #stop()}, or on bad options.
   */
  public Future<Void> register(String name, Check check, CheckOptions options) {
    if (name == null || !NAME.matcher(name).matches()) {
      return Future.failedFuture(new IllegalArgumentException(
          "check name \"" + name + "\" must use letters, digits, '_', '.', '-' (at most 63)"));
    }
    if (stopping) {
      return Future.failedFuture(new IllegalStateException(
          "cannot register check \"" + name + "\": the monitor is stopping or stopped"));
    }
    if (boardDeployment == null) {
      return Future.failedFuture(new IllegalStateException(
          "cannot register check \"" + name + "\" before the monitor has started: call start() and wait for it first"));
    }
    if (check == null || options == null) {
      return Future.failedFuture(new IllegalArgumentException(
          "check \"" + name + "\": " + (check == null ? "the check" : "its options") + " must not be null"));
    }
    List<String> problems = options.problems();
    if (!problems.isEmpty()) {
      return Future.failedFuture(new IllegalArgumentException(
          "check \"" + name + "\": " + String.join("; ", problems)));
    }
    return boardVerticle.add(new CheckSpec(name, "custom", options)).compose(v -> {
      metrics.register(name, "custom", options.critical());
      return deployCheck(name, "custom", options, () -> check).<Void>mapEmpty();
    });
  }

  private Future<String> deployCheck(String name, String type, CheckOptions options, Supplier<Check> check) {
    CheckVerticle v = new CheckVerticle(name, type, options, check, secrets, boardVerticle::submit, clock,
        () -> membership.owns(name), metrics::scheduleLag);
    if (membership.clustered()) {
      checkVerticles.add(v); // told when ownership moves
    }
    return vertx.deployVerticle(v).onSuccess(checkDeployments::add);
  }

  @Override
  public Snapshot snapshot() {
    return board.snapshot();
  }

  @Override
  public Maintenance maintenance() {
    return maintenance;
  }

  @Override
  public boolean live() {
    return boardDeployment != null && boardVerticle.sinceLastTickNanos() < LIVENESS_STALL_NANOS;
  }

  @Override
  public boolean ready() {
    return !draining && board.snapshot().ready();
  }

  @Override
  public Future<Void> caughtUp() {
    return boardVerticle.caughtUp();
  }

  @Override
  public boolean started() {
    return board.snapshot().started();
  }

  @Override
  public long changes() {
    return boardVerticle.changes();
  }

  @Override
  public CheckFamilies checkFamilies() {
    return metrics;
  }

  @Override
  public Predicate<CheckStatus> readinessGroup() {
    List<String> group = config.readinessChecks();
    return group == null ? CheckStatus::critical : c -> group.contains(c.name());
  }

  /** The secrets scrubber built from the configuration. */
  public Secrets secrets() {
    return secrets;
  }

  /** Starts draining: DRAINING is published and readiness turns false before this completes. */
  public Future<Void> drain() {
    draining = true;
    membership.leave(); // clustered: the others take this member's checks and probe them at once
    publish(Phase.DRAINING);
    return boardVerticle.drain();
  }

  /** Undeploys the check verticles (timers cancelled, clients closed), then the board. */
  public Future<Void> stop() {
    stopping = true;
    List<Future<Void>> undeploys = new ArrayList<>();
    synchronized (checkDeployments) {
      checkDeployments.forEach(id -> undeploys.add(vertx.undeploy(id)));
      checkDeployments.clear();
    }
    checkVerticles.clear();
    String notify = notifyDeployment;
    if (notify != null) {
      notifyDeployment = null;
      undeploys.add(vertx.undeploy(notify));
    }
    return Future.join(undeploys).transform(ar -> boardDeployment == null ? Future.<Void>succeededFuture()
        : vertx.undeploy(boardDeployment).onComplete(x -> boardDeployment = null));
  }

  /**
   * Publishes a lifecycle phase on {@code vigil.lifecycle}; the future completes once every event
   * loop has run what was queued on it before, so a consumer of this JVM on an event loop has been
   * handed the message. The drain closes Vert.x right after STOPPED, and closing unregisters the
   * consumers: without this wait a loaded machine lost STOPPED ("Discarding message since the
   * consumer is not registered"). Consumers on worker threads or in other processes are not waited for.
   */
  public Future<Void> publish(Phase phase) {
    vertx.eventBus().publish(Addresses.LIFECYCLE, EventJson.lifecycle(phase, clock.wall()));
    List<Future<Void>> barriers = new ArrayList<>();
    for (EventExecutor loop : ((VertxInternal) vertx).eventLoopGroup()) {
      Promise<Void> ran = Promise.promise();
      loop.execute(ran::complete); // FIFO per loop: runs after the deliveries queued by the publish
      barriers.add(ran.future());
    }
    return Future.join(barriers).mapEmpty();
  }
}

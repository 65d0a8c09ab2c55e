package io.vigil;

import io.vigil.model.Version;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vigil.bridge.BridgeVerticle;
import io.vigil.cluster.HazelcastMembership;
import io.vigil.cluster.HazelcastSetup;
import io.vigil.config.CheckConfig;
import io.vigil.config.ClusterConfig;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vigil.config.CheckType;
import io.vigil.config.ConfigException;
import io.vigil.config.ConfigLoader;
import io.vigil.config.Durations;
import io.vigil.config.VigilConfig;
import io.vigil.http.HttpListeners;
import io.vigil.http.ServingMetrics;
import io.vigil.http.HttpVerticle;
import io.vigil.http.Serving;
import io.vigil.log.Logging;
import io.vigil.metrics.Registries;
import io.vigil.metrics.VigilMetricsFactory;
import io.vigil.shutdown.GracefulShutdown;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import sun.misc.Signal;

/**
 * The {@code vigil} program: parse arguments, load the config, build Vert.x with metrics, start the
 * monitor, the event-bus bridge when {@code bridge.enabled}, and the HTTP verticle, and drain on
 * SIGTERM/SIGINT.
 */
public final class Vigil {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;
  private static final String USAGE_TEXT = """
      usage: vigil [--config FILE]         run the monitor (default: $VIGIL_CONFIG or conf/vigil.yaml)
             vigil check-config FILE       validate a config file and exit (0 valid, 2 invalid)
             vigil --version | --help""";

  private Vigil() {}

  public static void main(String[] args) {
    Logging.install();
    int code = launch(args, System.out, System.err);
    if (code >= 0) {
      System.exit(code);
    }
  }

  /** Runs the command; returns an exit status, or -1 when the monitor is running. */
  static int launch(String[] args, PrintStream out, PrintStream err) {
    String config = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--help", "-h" -> {
          out.println(USAGE_TEXT);
          return OK;
        }
        case "--version" -> {
          out.println("vigil " + Version.get());
          return OK;
        }
        case "check-config" -> {
          if (i + 1 >= args.length || args.length != i + 2) {
            err.println("vigil: check-config takes exactly one FILE\n" + USAGE_TEXT);
            return USAGE;
          }
          return checkConfig(Path.of(args[i + 1]), out, err);
        }
        case "--config" -> {
          if (i + 1 >= args.length) {
            err.println("vigil: --config needs a FILE\n" + USAGE_TEXT);
            return USAGE;
          }
          config = args[++i];
        }
        default -> {
          err.println("vigil: unknown argument \"" + args[i] + "\"\n" + USAGE_TEXT);
          return USAGE;
        }
      }
    }
    if (config == null) {
      String env = System.getenv("VIGIL_CONFIG");
      config = env == null || env.isBlank() ? "conf/vigil.yaml" : env;
    }
    VigilConfig loaded;
    try {
      loaded = new ConfigLoader(System.getenv()).load(Path.of(config));
    } catch (ConfigException e) {
      printProblems(config, e, err);
      return USAGE;
    }
    return run(loaded);
  }

  private static int checkConfig(Path file, PrintStream out, PrintStream err) {
    try {
      VigilConfig c = new ConfigLoader(System.getenv()).load(file);
      out.println(file + ": valid, " + c.checks().size() + " checks ("
          + String.join(", ", c.checks().stream().map(x -> x.name() + ":" + x.type()).toList()) + ")");
      return OK;
    } catch (ConfigException e) {
      printProblems(file.toString(), e, err);
      return USAGE;
    }
  }

  private static void printProblems(String file, ConfigException e, PrintStream err) {
    err.println("vigil: " + file + ": " + e.problems().size() + " problem" + (e.problems().size() == 1 ? "" : "s")
        + " (check types: " + String.join(", ", CheckType.keys()) + ")");
    e.problems().forEach(p -> err.println("  " + p));
  }

  /**
   * A started monitor: its Vert.x, the monitor, the HTTP ports (main, and management when
   * {@code server.management-port} is set), and its shutdown sequence.
   */
  public record Running(Vertx vertx, HealthMonitor monitor, int port, OptionalInt managementPort,
      GracefulShutdown shutdown) {}

  private static int run(VigilConfig config) {
    // Handlers first: a SIGTERM between the port being logged and the handlers being installed
    // would otherwise get the JVM's default (exit 143, no drain). Seen in ShutdownIT on a loaded machine.
    AtomicReference<GracefulShutdown> shutdown = new AtomicReference<>();
    Runnable drain = installSignals(shutdown, Logger.getLogger("vigil"));
    try {
      Running running = start(config);
      shutdown.set(running.shutdown());
      drain.run(); // a signal that came during the start drains now
      return -1;
    } catch (IllegalStateException e) {
      return FAILED;
    }
  }

  /**
   * Starts the monitor, its bridge and its HTTP verticle as {@code main} does, without installing signal
   * handlers. Throws {@link IllegalStateException} (already logged) when it cannot start.
   */
  public static Running start(VigilConfig config) {
    Logger log = Logger.getLogger("vigil");
    log.info("lifecycle phase=STARTING version=" + Version.get() + " checks=" + config.checks().size());
    PrometheusMeterRegistry registry = Registries.prometheus();
    VertxBuilder builder = Vertx.builder()
        .with(vertxOptions())
        .withMetrics(new VigilMetricsFactory(registry));
    Vertx vertx;
    HealthMonitor monitor;
    if (config.cluster().enabled()) {
      warnIfHandoverOutlastsMaxAge(config, log);
      vertx = joinCluster(builder, config.cluster(), log);
      HazelcastMembership membership = new HazelcastMembership(vertx,
          (HazelcastClusterManager) ((VertxInternal) vertx).clusterManager());
      membership.start().await(); // not an event loop: main's thread
      monitor = HealthMonitor.create(vertx, config, registry, membership);
    } else {
      vertx = builder.build();
      monitor = HealthMonitor.create(vertx, config, registry);
    }
    // One HTTP verticle instance per core; they share the view, the rendered bodies, the metrics
    // renderer, the SSE hub (Serving) and the listeners with their connection caps (HttpListeners).
    Serving serving = new Serving(vertx, monitor.view(), config.server(), registry);
    HttpListeners listeners = new HttpListeners(config.server());
    ServingMetrics.register(registry, listeners, serving);
    HttpVerticle http = new HttpVerticle(serving, listeners);
    int instances = HttpVerticle.instances();
    Iterator<HttpVerticle> made = Stream.concat(Stream.of(http),
        Stream.generate(() -> new HttpVerticle(serving, listeners))).iterator();
    String httpDeployment;
    Future<Optional<String>> bridge;
    Duration startTimeout = startTimeout(config.checks().size());
    try {
      // The hub first, so that its ring holds every event from the start and Last-Event-ID can resume.
      // The bridge once the board answers vigil.status, and before HTTP: a bridge that cannot listen
      // fails the start before any probe is answered.
      bridge = serving.hub().compose(hub -> monitor.start())
          .compose(v -> config.bridge().enabled()
              ? vertx.deployVerticle(new BridgeVerticle(config.bridge())).map(Optional::of)
              : Future.succeededFuture(Optional.empty()));
      httpDeployment = bridge
          .compose(v -> vertx.deployVerticle(made::next, new DeploymentOptions().setInstances(instances)))
          .toCompletionStage().toCompletableFuture().get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      String why = e instanceof TimeoutException
          ? "not started within " + startTimeout.toSeconds() + "s (" + config.checks().size() + " checks to deploy)"
          : String.valueOf(cause.getMessage());
      String where = cause instanceof BridgeVerticle.ListenFailed
          ? "bridge host=" + config.bridge().host() + " port=" + config.bridge().port()
          : "host=" + config.server().host() + " port=" + config.server().port();
      log.severe("cannot start: " + monitor.secrets().scrub(why) + " (" + where + ")");
      vertx.close();
      throw new IllegalStateException("cannot start", cause);
    }
    log.info("http instances=" + instances + " port=" + listeners.port()
        + listeners.managementPort().stream().mapToObj(p -> " management-port=" + p).findFirst().orElse(""));
    return new Running(vertx, monitor, listeners.port(), listeners.managementPort(),
        new GracefulShutdown(vertx, monitor, http, httpDeployment, bridge.result(), config.server()));
  }

  /** One line however many checks: a config of 10,000 checks with a short max-age must not flood the log. */
  private static void warnIfHandoverOutlastsMaxAge(VigilConfig config, Logger log) {
    List<CheckConfig> tight = config.cluster().outlastedByHandover(config.checks());
    if (!tight.isEmpty()) {
      CheckConfig first = tight.get(0);
      log.warning("cluster checks=" + tight.size() + " have a max-age not longer than interval + timeout + failure-detection"
          + " (first: check=" + first.name() + " max-age=" + Durations.format(first.options().effectiveMaxAge())
          + " handover=" + Durations.format(config.cluster().worstHandover(first.options())) + "): when their owner"
          + " freezes or is cut off they read UNKNOWN before another member takes them over; raise max-age or"
          + " lower cluster.failure-detection");
    }
  }

  /**
   * Builds a clustered Vert.x on Hazelcast from the {@code cluster:} section; throws
   * {@link IllegalStateException} (logged) when the member cannot join, e.g. its port is taken.
   */
  private static Vertx joinCluster(VertxBuilder builder, ClusterConfig cluster, Logger log) {
    log.info("cluster joining name=" + cluster.name() + " at=" + cluster.host() + ":" + cluster.port()
        + " members=" + cluster.members());
    try {
      VertxOptions options = vertxOptions();
      options.getEventBusOptions().setHost(cluster.host()).setPort(cluster.busPort());
      return builder.with(options).withClusterManager(HazelcastSetup.clusterManager(cluster)).buildClustered()
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      log.severe("cannot join the cluster " + cluster.name() + " at " + cluster.host() + ":" + cluster.port()
          + ": " + (e instanceof TimeoutException ? "no answer within 60s" : cause.getMessage()));
      throw new IllegalStateException("cannot join", cause);
    }
  }

  /**
   * First SIGTERM/SIGINT drains; a second one ends the process at once. SIGHUP, which the JVM would
   * treat as a request to exit (status 129, no drain), is logged and ignored until reload exists:
   * a terminal closing or an operator trying a reload must not take the monitor down.
   */
  /**
   * How long the start may take before it is given up: 30 s, and 2 ms more per check (deploying
   * 50,000 http checks takes about a minute here), so a start that hangs still fails loudly.
   */
  static Duration startTimeout(int checks) {
    return Duration.ofSeconds(30).plusMillis(2L * checks);
  }

  private static Runnable installSignals(AtomicReference<GracefulShutdown> shutdown, Logger log) {
    try {
      Signal.handle(new Signal("HUP"), sig -> log.warning(
          "signal=SIGHUP ignored: config reload is not supported yet; restart to apply a new config"));
    } catch (IllegalArgumentException e) {
      // The JVM runs with -Xrs or SIGHUP is ignored (nohup): it cannot end the process then either.
      log.fine("signal=SIGHUP handler not installed: " + e.getMessage());
    }
    AtomicBoolean stopping = new AtomicBoolean();
    AtomicBoolean drained = new AtomicBoolean();
    // Runs the drain once a signal was seen and the monitor is running, whichever comes last.
    Runnable drain = () -> {
      GracefulShutdown s = shutdown.get();
      if (stopping.get() && s != null && drained.compareAndSet(false, true)) {
        new Thread(() -> System.exit(s.run()), "vigil-shutdown").start();
      }
    };
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), sig -> {
        if (stopping.compareAndSet(false, true)) {
          log.info("signal=SIG" + sig.getName() + " shutting down" + (shutdown.get() == null ? " once started" : ""));
          drain.run();
        } else {
          log.log(Level.WARNING, "signal=SIG" + sig.getName() + " again: exiting now, status 130");
          Runtime.getRuntime().halt(130);
        }
      });
    }
    return drain;
  }

  /**
   * A monitor should say when it blocks: an event loop busy for more than 200 ms (Vert.x's default
   * is 2 s) is logged, looked for every 100 ms, since a stalled loop delays every probe it serves.
   */
  private static VertxOptions vertxOptions() {
    return new VertxOptions().setMetricsOptions(metricsOptions()).setPreferNativeTransport(true)
        .setMaxEventLoopExecuteTime(200).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        .setBlockedThreadCheckInterval(100).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS);
  }

  private static MicrometerMetricsOptions metricsOptions() {
    // No REMOTE, LOCAL or HTTP_PATH labels: hosts and URLs never become label values.
    return new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setLabels(EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.HTTP_ROUTE, Label.POOL_TYPE,
            Label.POOL_NAME, Label.EB_ADDRESS, Label.EB_SIDE, Label.EB_FAILURE, Label.CLIENT_NAME))
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true));
  }
}

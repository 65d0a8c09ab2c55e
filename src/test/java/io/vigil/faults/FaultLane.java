package io.vigil.faults;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.dns.AddressResolverOptions;
import io.vertx.core.json.JsonObject;
import io.vigil.HealthMonitor;
import io.vigil.bus.Addresses;
import io.vigil.config.ConfigLoader;
import io.vigil.config.VigilConfig;
import io.vigil.http.HttpVerticle;
import io.vigil.model.CheckState;
import io.vigil.model.CheckStatus;
import io.vigil.model.Reason;
import io.vigil.model.Snapshot;
import io.vigil.testsupport.FaultProxy;
import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.PrivatePostgres;
import io.vigil.testsupport.PrivateRedis;
import io.vigil.testsupport.TestPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * One target of the fault matrix in a world of its own, so that the four targets can be faulted at
 * the same time: its own Vert.x (whose resolver reads a hosts file of this lane), its real server
 * (a test HTTP server, a private Redis or PostgreSQL that can be stopped and started on its port),
 * a {@link FaultProxy} in front of it, and a monitor whose target check reaches it through the proxy
 * by name. Redis and PostgreSQL lanes also run the API (and worker) that depend on them, with their
 * own app servers, to see the cause travel. Every method blocks: run it on a test thread.
 */
final class FaultLane implements AutoCloseable {
  static final Duration INTERVAL = Duration.ofMillis(400);
  static final Duration TIMEOUT = Duration.ofMillis(250);
  static final int FAILURE_THRESHOLD = 2;
  /** How long each fault is held after it was detected, in intervals. */
  static final int HOLD_INTERVALS = 20;
  /** The longest a held fault may go without a result, in intervals: one is due every interval; a late
   * one on a loaded machine passes, a check that stopped probing does not. */
  static final int MAX_GAP_INTERVALS = 3;
  /** failure-threshold x interval + timeout, plus scheduling slack (jitter, the board's hop). */
  static final Duration DETECTION_BOUND = INTERVAL.multipliedBy(FAILURE_THRESHOLD).plus(TIMEOUT).plus(Duration.ofMillis(500));
  /** One interval, plus an in-flight probe's timeout and the same slack. */
  static final Duration RECOVERY_BOUND = INTERVAL.plus(TIMEOUT).plus(Duration.ofMillis(500));

  /** The real server behind the proxy, as a restart sees it: stop, and start again on the same port. */
  private record RealServer(Runnable stop, Runnable start) {}

  /** A result event of the target check, with when it arrived. */
  private record Seen(long atNanos, boolean ok, Reason reason) {}

  final Target target;
  private final Vertx vertx;
  private final Path hosts;
  private final Map<Target, AppServer> apps;
  private final RealServer server;
  private final List<AutoCloseable> owned;
  private final FaultProxy proxy;
  private final HealthMonitor monitor;
  private final int port;
  private final List<Seen> results = new CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private volatile boolean serverStopped;

  private FaultLane(Target target, Vertx vertx, Path hosts, Map<Target, AppServer> apps, RealServer server,
      List<AutoCloseable> owned, FaultProxy proxy, String checksYaml) {
    this.target = target;
    this.vertx = vertx;
    this.hosts = hosts;
    this.apps = apps;
    this.server = server;
    this.owned = owned;
    this.proxy = proxy;
    String yaml = """
        server: { host: 127.0.0.1, port: 0, shutdown: { drain-delay: 0s, timeout: 5s } }
        checks:
          defaults: { interval: %dms, timeout: %dms, failure-threshold: %d, success-threshold: 1 }
        """.formatted(INTERVAL.toMillis(), TIMEOUT.toMillis(), FAILURE_THRESHOLD) + checksYaml;
    VigilConfig config = new ConfigLoader(Map.of()).parse(yaml, target.check() + "-lane.yaml");
    this.monitor = HealthMonitor.create(vertx, config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    MonitorFixture.await(vertx.eventBus().<JsonObject>consumer(Addresses.RESULT, m -> {
      if (target.check().equals(m.body().getString("check"))) {
        results.add(new Seen(System.nanoTime(), m.body().getBoolean("ok"), Reason.fromLabel(m.body().getString("reason"))));
      }
    }).completion());
    MonitorFixture.await(monitor.start());
    HttpVerticle verticle = new HttpVerticle(monitor::healthRouter, config.server());
    MonitorFixture.await(vertx.deployVerticle(verticle));
    this.port = verticle.port();
  }

  /** Starts the lane of {@code target}: its servers, proxy and monitor. */
  static FaultLane start(Target target) {
    Path hosts = tempHosts(target);
    int noDns = TestPorts.closed(); // a "DNS server" that refuses: a name missing from hosts fails fast
    Vertx vertx = Vertx.vertx(new VertxOptions().setAddressResolverOptions(new AddressResolverOptions()
        .setHostsPath(hosts.toString()).setHostsRefreshPeriod(50)
        .setServers(List.of("127.0.0.1:" + noDns)).setQueryTimeout(200).setMaxQueries(1)
        .setCacheMaxTimeToLive(0).setCacheNegativeTimeToLive(0)));
    Map<Target, AppServer> apps = new EnumMap<>(Target.class);
    List<AutoCloseable> owned = new ArrayList<>();
    StringBuilder checks = new StringBuilder();
    RealServer server;
    FaultProxy proxy;
    String api = "{ type: http, url: \"http://%s/health\", expect: { status: [200], json: { status: healthy } }%s }";
    String worker = "{ type: http, url: \"http://%s/health\", expect: { json: { status: healthy } }, critical: false%s }";
    switch (target) {
      case API, WORKER -> {
        AppServer app = new AppServer(vertx, target.check()).start();
        apps.put(target, app);
        server = new RealServer(app::stop, app::start);
        proxy = FaultProxy.to("127.0.0.1", app.port());
        String via = target.host() + ":" + proxy.port();
        checks.append("  ").append(target.check()).append(": ")
            .append((target == Target.API ? api : worker).formatted(via, "")).append('\n');
      }
      case REDIS -> {
        PrivateRedis redis = PrivateRedis.launch();
        owned.add(redis);
        server = new RealServer(redis::stop, redis::start);
        proxy = FaultProxy.to("127.0.0.1", redis.port());
        checks.append("  redis: { type: redis, uri: \"redis://").append(target.host()).append(':').append(proxy.port())
            .append("\", expect: { writable: true } }\n");
        dependents(vertx, apps, checks, api, worker, "redis", true);
      }
      case POSTGRES -> {
        PrivatePostgres pg = PrivatePostgres.start();
        owned.add(pg);
        server = new RealServer(pg::stop, pg::restart); // restart: starts it again on its port
        proxy = FaultProxy.to("127.0.0.1", pg.port());
        checks.append("  postgres: { type: postgres, uri: \"postgresql://").append(PrivatePostgres.USER).append('@')
            .append(target.host()).append(':').append(proxy.port()).append("/postgres\", password: \"")
            .append(pg.password()).append("\", expect: { primary: true } }\n");
        dependents(vertx, apps, checks, api, worker, "postgres", false);
      }
      default -> throw new IllegalArgumentException(target.name());
    }
    owned.add(proxy);
    return new FaultLane(target, vertx, hosts, apps, server, owned, proxy, checks.toString());
  }

  private static void dependents(Vertx vertx, Map<Target, AppServer> apps, StringBuilder checks, String api,
      String worker, String store, boolean withWorker) {
    String dependsOn = ", depends-on: [" + store + "]";
    AppServer a = new AppServer(vertx, "api").start();
    apps.put(Target.API, a);
    checks.append("  api: ").append(api.formatted("127.0.0.1:" + a.port(), dependsOn)).append('\n');
    if (withWorker) {
      AppServer w = new AppServer(vertx, "worker").start();
      apps.put(Target.WORKER, w);
      checks.append("  worker: ").append(worker.formatted("127.0.0.1:" + w.port(), dependsOn)).append('\n');
    }
  }

  /** Injects {@code fault}, waits for its detection, holds it, heals it, waits for recovery. Never throws. */
  CaseReport run(Fault fault) {
    String name = target.check();
    Reason detectedAs = null;
    long detectedMs = -1;
    long recoveredMs = -1;
    Hold hold = null;
    try {
      awaitSnapshot(Duration.ofSeconds(15), "every check UP before " + fault, this::allUp);
      long start = System.nanoTime();
      inject(fault);
      try {
        Set<Reason> detected = fault.detected(target);
        Snapshot down = awaitSnapshot(DETECTION_BOUND.plus(Duration.ofSeconds(3)), name + " DOWN with " + detected,
            s -> s.check(name).map(c -> c.state() == CheckState.DOWN && detected.contains(c.reason())).orElse(false)
                && dependentsSettled(s));
        detectedMs = (System.nanoTime() - start) / 1_000_000;
        detectedAs = down.check(name).orElseThrow().reason();
        hold = hold(fault);
        long healed = heal();
        awaitSnapshot(RECOVERY_BOUND.plus(Duration.ofSeconds(3)), name + " UP again", s -> s.check(name).orElseThrow().up());
        recoveredMs = (System.nanoTime() - healed) / 1_000_000;
      } finally {
        heal(); // a failed case must not leave its fault behind for the next one
      }
      check(hold.violations().isEmpty(), "while held: " + hold.violations());
      check(detectedMs <= DETECTION_BOUND.toMillis(), "detected in " + detectedMs + " ms, bound " + DETECTION_BOUND.toMillis());
      check(recoveredMs <= RECOVERY_BOUND.toMillis(), "recovered in " + recoveredMs + " ms, bound " + RECOVERY_BOUND.toMillis());
      return new CaseReport(target, fault, detectedAs, detectedMs, hold, recoveredMs, null);
    } catch (AssertionError | RuntimeException e) {
      return new CaseReport(target, fault, detectedAs, detectedMs, hold, recoveredMs, e);
    }
  }

  /**
   * Keeps the fault for {@link #HOLD_INTERVALS} intervals. At every interval: the check DOWN with a
   * held reason and no cause, its dependents DOWN with {@code dependency} and it as cause, readiness
   * and liveness as they must be. Then: every result of the hold failed with a held reason, none was
   * missing for more than {@link #MAX_GAP_INTERVALS} intervals, and the target saw few connections
   * (and, for a hang, one per probe: each timed-out probe was really ended).
   */
  private Hold hold(Fault fault) {
    Set<Reason> held = fault.held(target);
    List<String> violations = new ArrayList<>();
    proxy.resetCounts();
    int from = results.size();
    long start = System.nanoTime();
    for (int i = 1; i <= HOLD_INTERVALS; i++) {
      sleepUntil(start + INTERVAL.toNanos() * i);
      Snapshot s = monitor.checkHealth();
      CheckStatus c = s.check(target.check()).orElseThrow();
      if (c.state() != CheckState.DOWN || !held.contains(c.reason()) || c.cause() != null) {
        violations.add("interval " + i + ": " + target.check() + " " + c.state() + " " + label(c.reason()) + " cause " + c.cause());
      }
      for (String d : target.dependents()) {
        CheckStatus dc = s.check(d).orElseThrow();
        if (dc.state() != CheckState.DOWN || dc.reason() != Reason.DEPENDENCY || !target.check().equals(dc.cause())) {
          violations.add("interval " + i + ": " + d + " " + dc.state() + " " + label(dc.reason()) + " cause " + dc.cause());
        }
      }
      int ready = status("/health/ready");
      int live = status("/health/live");
      if (ready != (target.critical() ? 503 : 200) || live != 200) {
        violations.add("interval " + i + ": ready " + ready + ", live " + live);
      }
    }
    long end = System.nanoTime();
    // Copy first: a view of the live list throws ConcurrentModificationException when a result
    // arrives between taking the view and reading it (seen in CI as a case that was "not held").
    List<Seen> all = List.copyOf(results);
    List<Seen> seen = all.subList(from, all.size());
    FaultProxy.Counts connections = proxy.counts();
    Map<Reason, Integer> reasons = new EnumMap<>(Reason.class);
    long maxGap = 0;
    long previous = start;
    for (Seen r : seen) {
      if (r.ok() || !held.contains(r.reason())) {
        violations.add("result at +" + (r.atNanos() - start) / 1_000_000 + " ms: " + (r.ok() ? "ok" : label(r.reason())));
      }
      if (r.reason() != null) {
        reasons.merge(r.reason(), 1, Integer::sum);
      }
      maxGap = Math.max(maxGap, r.atNanos() - previous);
      previous = r.atNanos();
    }
    maxGap = Math.max(maxGap, end - previous) / 1_000_000;
    if (seen.size() < HOLD_INTERVALS - 2) {
      violations.add(seen.size() + " results in " + HOLD_INTERVALS + " intervals");
    }
    if (maxGap > INTERVAL.toMillis() * MAX_GAP_INTERVALS) {
      violations.add("no result for " + maxGap + " ms");
    }
    if (connections.peakOpen() > Hold.MAX_OPEN) {
      violations.add(connections.peakOpen() + " connections open at once (at most " + Hold.MAX_OPEN + ")");
    }
    if (connections.accepted() > seen.size() + Hold.MAX_OPEN) {
      violations.add(connections.accepted() + " connections for " + seen.size() + " probes");
    }
    // A probe that timed out but was not ended keeps its connection, and single flight then skips
    // the next probes: the target sees far fewer connections than there were results.
    if (fault.hangs() && connections.accepted() < seen.size() - Hold.MAX_OPEN) {
      violations.add("only " + connections.accepted() + " connections for " + seen.size()
          + " timed-out probes: probes that timed out were not ended");
    }
    return new Hold(HOLD_INTERVALS, seen.size(), reasons, maxGap, connections, violations);
  }

  private void inject(Fault fault) {
    appsSeeDependencyDown(true);
    switch (fault) {
      case REFUSED -> proxy.refuse();
      case BLACKHOLE -> proxy.blackhole();
      case SLOW -> proxy.delay(TIMEOUT.multipliedBy(2));
      case RESTART -> {
        serverStopped = true;
        server.stop().run(); // the real server: the proxy follows it and refuses too
      }
      case DNS -> {
        writeHosts(hosts, target, false);
        proxy.pass(); // drop pooled connections so the next one needs the name
      }
      case WRONG_ANSWER -> {
        AppServer app = apps.get(target);
        if (app != null && (target == Target.API || target == Target.WORKER)) {
          app.wrong = true;
        } else {
          proxy.garbage();
        }
      }
    }
  }

  /** Ends whatever fault is on; returns when the target serves again. Idempotent. */
  private long heal() {
    apps.values().forEach(a -> a.wrong = false);
    writeHosts(hosts, target, true);
    if (serverStopped) {
      server.start().run();
      serverStopped = false;
    }
    appsSeeDependencyDown(false);
    proxy.pass();
    return System.nanoTime();
  }

  /** The lane's API and worker fail their own health while the store they depend on is faulted. */
  private void appsSeeDependencyDown(boolean down) {
    if (target == Target.REDIS || target == Target.POSTGRES) {
      apps.values().forEach(a -> a.dependencyDown = down);
    }
  }

  /**
   * Every dependent DOWN with a cause. A cause alone is not enough: a dependent whose own probe failed
   * once, below its failure threshold, already names the DOWN store as cause while still UP.
   */
  private boolean dependentsSettled(Snapshot s) {
    return target.dependents().stream()
        .allMatch(d -> s.check(d).map(c -> c.state() == CheckState.DOWN && c.cause() != null).orElse(false));
  }

  private boolean allUp(Snapshot s) {
    return s.started() && s.checks().stream().allMatch(CheckStatus::up);
  }

  /** Faults every connection of this lane's target at once (for the probes-under-fault test). */
  void blackhole() {
    proxy.blackhole();
  }

  void pass() {
    proxy.pass();
  }

  Snapshot snapshot() {
    return monitor.checkHealth();
  }

  Snapshot awaitSnapshot(Duration within, String what, Predicate<Snapshot> wanted) {
    long end = System.nanoTime() + within.toNanos();
    while (true) {
      Snapshot s = monitor.checkHealth();
      if (wanted.test(s)) {
        return s;
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + within.toMillis() + " ms: " + what + "; now " + s.checks());
      }
      sleepUntil(System.nanoTime() + 10_000_000);
    }
  }

  int status(String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1; // counted as a wrong answer by the caller
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError(what);
    }
  }

  private static String label(Reason r) {
    return r == null ? "-" : r.label();
  }

  private static void sleepUntil(long nanos) {
    long ms = (nanos - System.nanoTime()) / 1_000_000;
    if (ms > 0) {
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static Path tempHosts(Target target) {
    try {
      Path p = Files.createTempFile("vigil-hosts-" + target.check(), "");
      writeHosts(p, target, true);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The lane's hosts file: its target's name resolves to 127.0.0.1, unless {@code resolvable} is false. */
  private static void writeHosts(Path hosts, Target target, boolean resolvable) {
    try {
      Files.writeString(hosts, resolvable ? "127.0.0.1 " + target.host() + "\n" : "");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      MonitorFixture.await(vertx.close());
    } finally {
      for (AutoCloseable c : owned) {
        try {
          c.close();
        } catch (Exception e) {
          // closing anyway; the fixtures' own hook cleans what is left
        }
      }
      try {
        Files.deleteIfExists(hosts);
      } catch (IOException ignored) {
        // a temp file
      }
    }
  }
}

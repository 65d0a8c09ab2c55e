package io.vigil.faults;

import static io.vigil.testsupport.MonitorFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.dns.AddressResolverOptions;
import io.vertx.core.http.HttpServer;
import io.vigil.HealthMonitor;
import io.vigil.config.ConfigLoader;
import io.vigil.config.VigilConfig;
import io.vigil.http.HttpVerticle;
import io.vigil.status.CheckState;
import io.vigil.status.CheckStatus;
import io.vigil.status.Reason;
import io.vigil.status.Snapshot;
import io.vigil.testsupport.FaultProxy;
import io.vigil.testsupport.TestPorts;
import io.vigil.testsupport.TestServers;
import java.io.IOException;
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
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every check type through every fault, with real sockets: the HTTP API and worker (Vert.x servers
 * in the test), Redis and PostgreSQL (the real servers), each behind a {@link FaultProxy} and reached
 * by a host name that a hosts file the test edits resolves. For each pair: the right state, reason
 * and cause within the detection bound, then recovery after the fault ends, with probes answering
 * from memory throughout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultMatrixTest {
  enum Target { API, WORKER, REDIS, POSTGRES }

  enum Fault { REFUSED, BLACKHOLE, SLOW, WRONG_ANSWER, RESTART, DNS }

  static final Duration INTERVAL = Duration.ofMillis(400);
  static final Duration TIMEOUT = Duration.ofMillis(250);
  static final int FAILURE_THRESHOLD = 2;
  /** failure-threshold x interval + timeout, plus scheduling slack (jitter, the board's hop). */
  static final Duration DETECTION_BOUND = INTERVAL.multipliedBy(FAILURE_THRESHOLD).plus(TIMEOUT).plus(Duration.ofMillis(500));
  /** One interval, plus an in-flight probe's timeout and the same slack. */
  static final Duration RECOVERY_BOUND = INTERVAL.plus(TIMEOUT).plus(Duration.ofMillis(500));

  private Vertx vertx;
  private HealthMonitor monitor;
  private Path hosts;
  private int port;
  private final Map<Target, FaultProxy> proxies = new EnumMap<>(Target.class);
  private final AppServer api = new AppServer("api");
  private final AppServer worker = new AppServer("worker");
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final List<String> report = new ArrayList<>();

  @BeforeAll
  void start() throws Exception {
    hosts = Files.createTempFile("vigil-hosts", "");
    writeHosts(Set.of());
    int noDns = TestPorts.closed(); // a "DNS server" that refuses: unknown names fail fast
    vertx = Vertx.vertx(new VertxOptions().setAddressResolverOptions(new AddressResolverOptions()
        .setHostsPath(hosts.toString()).setHostsRefreshPeriod(50)
        .setServers(List.of("127.0.0.1:" + noDns)).setQueryTimeout(200).setMaxQueries(1)
        .setCacheMaxTimeToLive(0).setCacheNegativeTimeToLive(0)));
    String redis = TestServers.redisUri();
    String pg = TestServers.postgresUri();
    HttpServer apiServer = api.start(vertx);
    HttpServer workerServer = worker.start(vertx);
    proxies.put(Target.API, FaultProxy.to("127.0.0.1", apiServer.actualPort()));
    proxies.put(Target.WORKER, FaultProxy.to("127.0.0.1", workerServer.actualPort()));
    proxies.put(Target.REDIS, FaultProxy.to(TestServers.host(redis), TestServers.port(redis)));
    proxies.put(Target.POSTGRES, FaultProxy.to(TestServers.host(pg), TestServers.port(pg)));
    URI pgUri = URI.create(pg);
    String yaml = """
        server: { host: 127.0.0.1, port: 0, shutdown: { drain-delay: 0s, timeout: 5s } }
        checks:
          defaults: { interval: %s, timeout: %s, failure-threshold: %d, success-threshold: 1 }
          api:
            type: http
            url: "http://api.vigil.test:%d/health"
            expect: { status: [200], json: { status: healthy } }
            depends-on: [redis, postgres]
          worker:
            type: http
            url: "http://worker.vigil.test:%d/health"
            expect: { json: { status: healthy } }
            critical: false
            depends-on: [redis]
          redis: { type: redis, uri: "%s", expect: { writable: true } }
          postgres: { type: postgres, uri: "%s", expect: { primary: true } }
        """.formatted(INTERVAL.toMillis() + "ms", TIMEOUT.toMillis() + "ms", FAILURE_THRESHOLD,
        port(Target.API), port(Target.WORKER),
        redis.replace(TestServers.host(redis) + ":" + TestServers.port(redis), "redis.vigil.test:" + port(Target.REDIS)),
        pg.replace(pgUri.getHost() + ":" + pgUri.getPort(), "postgres.vigil.test:" + port(Target.POSTGRES)));
    VigilConfig config = new ConfigLoader(Map.of()).parse(yaml, "matrix.yaml");
    monitor = HealthMonitor.create(vertx, config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    await(monitor.start());
    HttpVerticle httpVerticle = new HttpVerticle(monitor, config.server());
    await(vertx.deployVerticle(httpVerticle));
    port = httpVerticle.port();
    awaitAllUp(Duration.ofSeconds(10));
  }

  @AfterAll
  void stop() throws IOException {
    proxies.values().forEach(FaultProxy::close);
    await(vertx.close());
    Files.deleteIfExists(hosts);
    Path out = Path.of("target", "fault-matrix.txt");
    Files.createDirectories(out.getParent());
    Files.write(out, report);
  }

  static Stream<Arguments> cases() {
    List<Arguments> all = new ArrayList<>();
    for (Target t : Target.values()) {
      for (Fault f : Fault.values()) {
        all.add(Arguments.of(t, f));
      }
    }
    return all.stream();
  }

  @Order(1)
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void faultIsDetectedWithItsReasonAndCauseThenRecovers(Target target, Fault fault) throws Exception {
    awaitAllUp(Duration.ofSeconds(10));
    String name = target.name().toLowerCase();
    Set<Reason> reasons = expectedReasons(target, fault);
    long start = System.nanoTime();
    inject(target, fault);
    try {
      detectAndRecover(target, fault, name, reasons, start);
    } finally {
      heal(target, fault); // a failed case must not leave its fault behind for the next one
    }
  }

  private void detectAndRecover(Target target, Fault fault, String name, Set<Reason> reasons, long start) throws Exception {
    Snapshot down = awaitSnapshot(DETECTION_BOUND.plus(Duration.ofSeconds(3)), name + " DOWN with " + reasons, s -> {
      CheckStatus c = s.check(name).orElseThrow();
      return c.state() == CheckState.DOWN && reasons.contains(c.reason()) && dependentsSettled(s, target);
    });
    long detectedMs = (System.nanoTime() - start) / 1_000_000;
    CheckStatus c = down.check(name).orElseThrow();
    assertNull(c.cause(), "the faulty check is the root: no cause");
    assertDependents(down, target);
    boolean critical = target != Target.WORKER;
    assertEquals(critical ? 503 : 200, status("/health/ready"), "readiness follows the critical checks");
    assertEquals(200, status("/health/live"), "a dependency's fault never fails liveness");

    long healed = System.nanoTime();
    heal(target, fault);
    awaitSnapshot(RECOVERY_BOUND.plus(Duration.ofSeconds(3)), name + " UP again", s -> s.check(name).orElseThrow().up());
    long recoveredMs = (System.nanoTime() - healed) / 1_000_000;
    report.add(String.format("%-8s %-12s reason=%-18s detected=%5d ms (bound %d)  recovered=%5d ms (bound %d)",
        target, fault, c.reason().label(), detectedMs, DETECTION_BOUND.toMillis(), recoveredMs, RECOVERY_BOUND.toMillis()));
    assertTrue(detectedMs <= DETECTION_BOUND.toMillis(), "detected in " + detectedMs + " ms, bound " + DETECTION_BOUND.toMillis());
    assertTrue(recoveredMs <= RECOVERY_BOUND.toMillis(), "recovered in " + recoveredMs + " ms, bound " + RECOVERY_BOUND.toMillis());
  }

  /**
   * Runs after the matrix, on a warm JVM: a cold one spends its first seconds loading classes on
   * every thread, which says nothing about probes. Polls every 10 ms, as a busy orchestrator might,
   * rather than in a tight loop that would compete with the monitor for this machine's two cores.
   */
  @Order(2)
  @Test
  void probesAnswerFromMemoryWithinAHundredMillisecondsWhileEveryTargetIsBlackholed() throws Exception {
    awaitAllUp(Duration.ofSeconds(10));
    proxies.values().forEach(FaultProxy::blackhole);
    try {
      long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      long worstNs = 0;
      List<String> slow = new ArrayList<>();
      int n = 0;
      long begin = System.nanoTime();
      while (System.nanoTime() < end) {
        for (String p : List.of("/health/ready", "/health/live", "/health")) {
          long t0 = System.nanoTime();
          status(p);
          long took = System.nanoTime() - t0;
          worstNs = Math.max(worstNs, took);
          if (took > 20_000_000) {
            slow.add(String.format("%s at +%d ms took %.1f ms", p, (t0 - begin) / 1_000_000, took / 1e6));
          }
          n++;
          Thread.sleep(10);
        }
      }
      report.add(String.format("all blackholed: %d probe requests, slowest %.2f ms; over 20 ms: %s", n, worstNs / 1e6, slow));
      assertTrue(worstNs < 100_000_000, "slowest probe took " + worstNs / 1e6 + " ms");
      awaitSnapshot(DETECTION_BOUND.plus(Duration.ofSeconds(2)), "all DOWN", s -> s.checks().stream().noneMatch(CheckStatus::up));
      assertEquals(503, status("/health/ready"));
    } finally {
      proxies.values().forEach(FaultProxy::pass);
    }
  }

  private static Set<Reason> expectedReasons(Target t, Fault f) {
    return switch (f) {
      case REFUSED -> Set.of(Reason.CONNECTION_REFUSED);
      case BLACKHOLE, SLOW -> Set.of(Reason.TIMEOUT);
      case DNS -> Set.of(Reason.DNS);
      // A restart cuts open connections first (unavailable), then refuses new ones.
      case RESTART -> Set.of(Reason.CONNECTION_REFUSED, Reason.UNAVAILABLE);
      case WRONG_ANSWER -> switch (t) {
        case API -> Set.of(Reason.HTTP_STATUS);
        case WORKER -> Set.of(Reason.ASSERTION);
        default -> Set.of(Reason.PROTOCOL);
      };
    };
  }

  private void inject(Target t, Fault f) throws IOException {
    FaultProxy p = proxies.get(t);
    appsSeeDependencyDown(t, true);
    switch (f) {
      case REFUSED, RESTART -> p.refuse();
      case BLACKHOLE -> p.blackhole();
      case SLOW -> p.delay(TIMEOUT.multipliedBy(2));
      case DNS -> {
        writeHosts(Set.of(t.name().toLowerCase() + ".vigil.test"));
        p.pass(); // drop pooled connections so the next one needs the name
      }
      case WRONG_ANSWER -> {
        switch (t) {
          case API -> api.wrong = true;
          case WORKER -> worker.wrong = true;
          default -> p.garbage();
        }
      }
    }
  }

  private void heal(Target t, Fault f) throws IOException {
    api.wrong = false;
    worker.wrong = false;
    writeHosts(Set.of());
    appsSeeDependencyDown(t, false);
    proxies.get(t).pass();
  }

  /** The test's API and worker fail their own health while a store they depend on is faulted, as real ones would. */
  private void appsSeeDependencyDown(Target t, boolean down) {
    if (t == Target.REDIS) {
      api.dependencyDown = down;
      worker.dependencyDown = down;
    } else if (t == Target.POSTGRES) {
      api.dependencyDown = down;
    }
  }

  private static boolean dependentsSettled(Snapshot s, Target t) {
    return switch (t) {
      case REDIS -> s.check("api").orElseThrow().cause() != null && s.check("worker").orElseThrow().cause() != null;
      case POSTGRES -> s.check("api").orElseThrow().cause() != null;
      default -> true;
    };
  }

  private static void assertDependents(Snapshot s, Target t) {
    String root = t.name().toLowerCase();
    List<String> dependents = switch (t) {
      case REDIS -> List.of("api", "worker");
      case POSTGRES -> List.of("api");
      default -> List.of();
    };
    for (String d : dependents) {
      CheckStatus c = s.check(d).orElseThrow();
      assertEquals(root, c.cause(), d + " fails because of " + root);
      assertEquals(Reason.DEPENDENCY, c.reason());
    }
  }

  private int port(Target t) {
    return proxies.get(t).port();
  }

  private void writeHosts(Set<String> missing) throws IOException {
    StringBuilder b = new StringBuilder();
    for (Target t : Target.values()) {
      String host = t.name().toLowerCase() + ".vigil.test";
      if (!missing.contains(host)) {
        b.append("127.0.0.1 ").append(host).append('\n');
      }
    }
    Files.writeString(hosts, b.toString());
  }

  private void awaitAllUp(Duration within) {
    awaitSnapshot(within, "every check UP", s -> s.started() && s.checks().stream().allMatch(CheckStatus::up));
  }

  private Snapshot awaitSnapshot(Duration within, String what, Predicate<Snapshot> wanted) {
    long end = System.nanoTime() + within.toNanos();
    while (true) {
      Snapshot s = monitor.checkHealth();
      if (wanted.test(s)) {
        return s;
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + within.toMillis() + " ms: " + what + "; now " + s.checks());
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private int status(String path) throws IOException, InterruptedException {
    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
    return r.statusCode();
  }

  /** A stand-in for the platform's API or worker: healthy, wrong on demand, failing when its store is down. */
  static final class AppServer {
    final String name;
    volatile boolean wrong;
    volatile boolean dependencyDown;

    AppServer(String name) {
      this.name = name;
    }

    HttpServer start(Vertx vertx) {
      return await(vertx.createHttpServer().requestHandler(req -> {
        if (dependencyDown) {
          req.response().setStatusCode(503).end("{\"status\":\"unhealthy\"}");
        } else if (wrong && name.equals("api")) {
          req.response().setStatusCode(500).end("internal error");
        } else if (wrong) {
          req.response().end("{\"status\":\"sick\"}");
        } else {
          req.response().putHeader("content-type", "application/json").end("{\"status\":\"healthy\"}");
        }
      }).listen(0, "127.0.0.1"));
    }
  }
}

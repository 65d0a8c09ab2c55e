package io.vigil.hostile;

import static org.junit.jupiter.api.Assertions.fail;

import io.vigil.hostile.FreshConnectionProber.Figures;
import io.vigil.hostile.FreshConnectionProber.Probe;
import io.vigil.hostile.HostileClients.Kind;
import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.VigilProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, done-when 2: the real process under {@code -Xmx256m} with 2,000 checks, and 1,000
 * clients of each hostile kind at once on its one port, opened over {@link #RAMP} (idle {@code /events} subscribers,
 * slow headers, pipelined {@code /metrics} never read, back-to-back {@code /metrics} scrapes; see
 * {@link HostileClients}) for 30 s, while a prober on fresh connections asks {@code /health/live}
 * and {@code /health/ready} in turn every 20 ms. Every probe must be answered 200 within 1 s, the
 * connection storm included; their p99 once every client is connected ({@link #STORM}) must be
 * under 20 ms; and the process must survive without an OutOfMemoryError.
 *
 * <p>The figures are printed on one line starting {@code hostile-clients:} (in
 * target/failsafe-reports/io.vigil.hostile.HostileClientsIT-output.txt, and in the failure
 * message). A well-behaved Prometheus ({@link PrometheusScraper}) scrapes every 5 s throughout, as in
 * production. Before the clients start, after a warm-up of one check interval, the same prober
 * takes a 5 s quiet baseline: when that one is already over the bound, the message says so, with
 * the machine's load (a busy machine makes the verdict say little). The monitor's output is kept
 * in target/hostile-clients-vigil.log.
 *
 * <p>The attackers stand in for clients on other machines, so they are kept from taking the monitor's
 * CPU in ways remote clients could not: their code is compiled by a run against a {@link Sink} first,
 * and their threads run at nice {@link HostileClients#NICE}. They still open every connection and send
 * every request at the same moment; the prober, the well-behaved Prometheus and the monitor keep the
 * normal priority.
 */
class HostileClientsIT {
  static final int CHECKS = 2_000;
  static final int CLIENTS_PER_KIND = 1_000;
  static final long PROBE_PERIOD_MS = 20;
  /** Kubernetes' default probe timeoutSeconds: a probe slower than this is a failed probe. */
  static final int PROBE_TIMEOUT_MS = 1_000;
  static final double P99_BOUND_MS = 20;
  static final Duration QUIET = Duration.ofSeconds(5);
  static final Duration HOSTILE = Duration.ofSeconds(30);
  /**
   * The first seconds of the attack, while the 4,000 connections are opened ({@link #RAMP}) and
   * send their first requests. Probes in the storm must not fail; the p99 bound is for the attack
   * held, once every client is connected.
   */
  static final Duration STORM = Duration.ofSeconds(2);
  /**
   * How long the 4,000 connections take to open: 0 (the default) opens them in one burst, about
   * 50 ms. {@code -Dvigil.hostile.ramp=1s} spreads them evenly; measured on this machine, that did not
   * shorten the storm much (its slowest probe 0.60-0.71 s against 0.47 s to over 1 s in a burst):
   * the event loops, not the accept queue, are what the probes wait for (docs/benchmarks.md).
   */
  static final Duration RAMP = Duration.parse("PT" + System.getProperty("vigil.hostile.ramp", "0s").toUpperCase(Locale.ROOT));
  /** How long the hostile clients run against a sink before the test, to have their code compiled. */
  static final Duration CLIENTS_WARM_UP = Duration.ofSeconds(3);
  /** One check interval: the first probes after the start meet the JIT and the first bursts of results. */
  static final Duration WARM_UP = Duration.ofSeconds(5);
  /** From the process start to /health/ready 200 (7 s on an idle 2-core machine, 35 s on a saturated one). */
  static final Duration STARTUP = Duration.ofSeconds(45);
  static final Path LOG = Path.of("target", "hostile-clients-vigil.log");
  /** The monitor's GC and safepoint log: a stall of every event loop at once is a pause, not the serving path. */
  static final Path GC_LOG = Path.of("target", "hostile-clients-gc.log").toAbsolutePath();
  /**
   * Every kind by default. {@code -Dvigil.hostile.kinds=events,scrapers} (labels as in the summary;
   * {@code ,} for none) runs some of them only, to find which one hurts; the assertions stay the same.
   */
  static final Set<Kind> KINDS = kinds(System.getProperty("vigil.hostile.kinds"));
  /**
   * {@code -Dvigil.hostile.histogram=per-type} (or {@code off}) sets the monitor's
   * {@code metrics.latency-histogram.scope}, to see what the {@code /metrics} rendering costs the
   * probes; the default config (per check) is the one the test judges.
   */
  static final String HISTOGRAM = System.getProperty("vigil.hostile.histogram");
  /**
   * More flags for the monitor's JVM, space-separated, to look inside a run, e.g.
   * {@code -Dvigil.hostile.jvm-args=-XX:StartFlightRecording=filename=target/hostile.jfr,settings=profile}.
   */
  static final List<String> EXTRA_JVM_ARGS = Arrays.stream(System.getProperty("vigil.hostile.jvm-args", "").split(" "))
      .filter(a -> !a.isBlank()).toList();

  /** What one run measured. */
  record Measured(Figures quiet, Figures hostile, Figures storm, Figures held, long pendingAfterStorm,
                  List<Probe> hostileProbes, long windowNanos, boolean alive,
                  String exit, List<String> oom, OptionalLong endRss, OptionalLong maxRss, OptionalLong hwm,
                  double vigilCpu, double ownCpu, String load, String clients, Throwable clientFailure) {
    String summary() {
      return String.format("hostile-clients: checks=%d clients=%d of each of %s opened over %d ms, window=%ds"
              + " | probes under attack: %s | of which in the connection storm (first %ds): %s"
              + " | held (all clients connected, %d still connecting): %s | quiet before: %s"
              + " | vigil: %s, OutOfMemoryError %s, VmRSS end=%s max=%s VmHWM=%s, cpu=%.1fs"
              + " | test JVM cpu=%.1fs, loadavg %s | %s",
          CHECKS, CLIENTS_PER_KIND, KINDS.stream().map(k -> k.label).toList(), RAMP.toMillis(), TimeUnit.NANOSECONDS.toSeconds(windowNanos),
          hostile.line(), STORM.toSeconds(), storm.line(), pendingAfterStorm, held.line(), quiet.line(), alive ? "alive" : "EXITED with " + exit, oom.isEmpty() ? "none" : "YES",
          ProcStatus.mib(endRss), ProcStatus.mib(maxRss), alive ? ProcStatus.mib(hwm) : "(exited)", vigilCpu, ownCpu, load,
          clients);
    }
  }

  @Test
  @Timeout(value = 115, unit = TimeUnit.SECONDS)
  void probesStayFastAndTheHeapBoundedWhileThousandsOfHostileClientsHoldThePort(@TempDir Path dir) throws Exception {
    try (TcpTarget target = new TcpTarget()) {
      Path config = dir.resolve("vigil.yaml");
      Files.writeString(config, config(target.port()));
      Measured m;
      List<String> jvm = new ArrayList<>(List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError",
          "-Xlog:gc*,safepoint:file=" + GC_LOG + ":uptime"));
      jvm.addAll(EXTRA_JVM_ARGS);
      try (VigilProcess vigil = VigilProcess.start(jvm,
          "--config", config.toString())) {
        try {
          m = measure(vigil);
        } finally {
          Files.createDirectories(LOG.getParent());
          Files.write(LOG, vigil.lines());
          vigil.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        System.out.println(m.summary());
        judge(m, vigil.lines());
      }
    }
  }

  /** 2,000 connect-only tcp checks every 5 s on the test's listener, all critical (readiness follows them). */
  static String config(int targetPort) {
    StringBuilder b = new StringBuilder("""
        server: { host: 127.0.0.1, port: 0, details: always, shutdown: { drain-delay: 0s, timeout: 5s } }
        """);
    if (HISTOGRAM != null) {
      b.append("metrics: { latency-histogram: { scope: ").append(HISTOGRAM).append(" } }\n");
    }
    b.append("""
        checks:
          defaults: { interval: 5s, timeout: 2s }
        """);
    for (int i = 0; i < CHECKS; i++) {
      b.append(String.format("  t%04d: { type: tcp, host: 127.0.0.1, port: %d }%n", i, targetPort));
    }
    return b.toString();
  }

  private static Measured measure(VigilProcess vigil) throws Exception {
    long pid = vigil.process().pid();
    long startupDeadline = System.nanoTime() + STARTUP.toNanos();
    int port = vigil.awaitPort(STARTUP);
    awaitStarted(vigil, port, Duration.ofNanos(Math.max(0, startupDeadline - System.nanoTime())));
    try (FreshConnectionProber prober = new FreshConnectionProber(port, List.of("/health/live", "/health/ready"),
             PROBE_PERIOD_MS, PROBE_TIMEOUT_MS);
         HostileClients clients = new HostileClients(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
             KINDS, CLIENTS_PER_KIND, RAMP);
         PrometheusScraper prometheus = new PrometheusScraper(port)) {
      prometheus.start();
      prober.start();
      long warmUpEnd = System.nanoTime() + WARM_UP.toNanos();
      warmUpTheClients();
      Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(warmUpEnd - System.nanoTime())));
      long quietFrom = System.nanoTime();
      Thread.sleep(QUIET.toMillis());

      long from = System.nanoTime();
      double cpuFrom = ProcStatus.cpuSeconds(pid);
      double ownCpuFrom = ProcStatus.ownCpuSeconds();
      double cpu = Double.NaN;
      OptionalLong rss = OptionalLong.empty();
      long maxRss = -1;
      prometheus.attackStarts();
      clients.start();
      long until = from + HOSTILE.toNanos();
      Thread.sleep(STORM.toMillis());
      long pendingAfterStorm = clients.pending();
      while (System.nanoTime() < until && vigil.process().isAlive()) {
        Thread.sleep(1000);
        OptionalLong now = ProcStatus.kib(pid, "VmRSS");
        if (now.isPresent()) {
          rss = now;
          maxRss = Math.max(maxRss, now.getAsLong());
        }
        double c = ProcStatus.cpuSeconds(pid);
        cpu = Double.isNaN(c) ? cpu : c - cpuFrom; // the last reading before an exit
      }
      until = Math.min(until, System.nanoTime());
      double ownCpu = ProcStatus.ownCpuSeconds() - ownCpuFrom;
      String load = ProcStatus.loadAverage() + ", cpu pressure " + ProcStatus.cpuPressure();
      OptionalLong hwm = ProcStatus.kib(pid, "VmHWM");
      List<Probe> probes = prober.stop();
      boolean alive = vigil.process().isAlive();

      long end = until;
      List<Probe> quiet = probes.stream().filter(p -> p.dueNanos() >= quietFrom && p.dueNanos() < from).toList();
      List<Probe> hostile = probes.stream().filter(p -> p.dueNanos() >= from && p.dueNanos() < end).toList();
      long stormEnd = from + STORM.toNanos();
      List<Probe> storm = hostile.stream().filter(p -> p.dueNanos() < stormEnd).toList();
      List<Probe> held = hostile.stream().filter(p -> p.dueNanos() >= stormEnd).toList();
      List<String> oom = vigil.lines().stream().filter(l -> l.contains("OutOfMemoryError")).limit(5).toList();
      return new Measured(Figures.of(quiet), Figures.of(hostile), Figures.of(storm), Figures.of(held), pendingAfterStorm,
          hostile, until - from, alive,
          alive ? "" : Integer.toString(vigil.process().exitValue()), oom, rss,
          maxRss < 0 ? OptionalLong.empty() : OptionalLong.of(maxRss), hwm, cpu, ownCpu, load, clients.line() + " | " + prometheus.line(), clients.failure());
    }
  }

  /**
   * Runs the hostile clients once against a {@link Sink} (never the monitor), so that the JIT has
   * compiled their code before the attack: compiling it during the storm would take the two cores
   * from the monitor, which remote attackers would not.
   */
  private static void warmUpTheClients() throws Exception {
    try (Sink sink = new Sink();
         HostileClients clients = new HostileClients(sink.address(), KINDS, CLIENTS_PER_KIND, RAMP)) {
      clients.start();
      Thread.sleep(CLIENTS_WARM_UP.toMillis());
    }
  }

  private static void judge(Measured m, List<String> lines) {
    if (m.clientFailure() != null) {
      throw new AssertionError("a hostile client thread failed (a bug in the test, not a verdict on Vigil): "
          + m.clientFailure() + "\n" + m.summary(), m.clientFailure());
    }
    long expected = m.windowNanos() / TimeUnit.MILLISECONDS.toNanos(PROBE_PERIOD_MS);
    if (m.hostile().count() < expected * 9 / 10) {
      throw new AssertionError("the prober ran only " + m.hostile().count() + " of ~" + expected
          + " probes: the test JVM could not keep its own schedule, so the figures say nothing\n" + m.summary());
    }
    List<String> problems = new ArrayList<>();
    if (!m.alive()) {
      problems.add("the monitor exited (status " + m.exit() + ") while the hostile clients ran; its last lines: "
          + lines.subList(Math.max(0, lines.size() - 10), lines.size()));
    }
    if (!m.oom().isEmpty()) {
      problems.add("OutOfMemoryError in the monitor's output under -Xmx256m: " + m.oom());
    }
    Figures h = m.hostile();
    if (h.failures() > 0) {
      problems.add(h.failures() + " of " + h.count() + " probes failed (each must be answered 200 within "
          + PROBE_TIMEOUT_MS + " ms; every check is UP): " + h.failuresByKind() + "; the first: "
          + m.hostileProbes().stream().filter(p -> !p.ok()).limit(5).map(HostileClientsIT::describe).toList()
          + "; seconds into the attack: " + failedAt(m));
    }
    if (m.pendingAfterStorm() > 0) {
      problems.add(m.pendingAfterStorm() + " hostile connections were still being opened " + STORM.toSeconds()
          + " s after the start: the held window was not under the full attack");
    }
    Figures held = m.held();
    if (!(held.p99Ms() < P99_BOUND_MS)) {
      Figures q = m.quiet();
      problems.add(String.format("probe p99 %.2f ms while the attack was held is not under %.0f ms (p50 %.2f ms, max %.2f ms;"
              + " quiet p99 %.2f ms%s)",
          held.p99Ms(), P99_BOUND_MS, held.p50Ms(), held.maxMs(), q.p99Ms(), q.p99Ms() < P99_BOUND_MS ? ""
              : ", already over the bound before any hostile client: the monitor's own checks or the machine"
                + " (loadavg " + m.load() + ") slow it down without them") + "; over " + P99_BOUND_MS + " ms at seconds " + slowAt(m));
    }
    if (!problems.isEmpty()) {
      fail(problems.size() + " problem(s) with " + CLIENTS_PER_KIND + " clients of each hostile kind " + KINDS + ":\n  - "
          + String.join("\n  - ", problems) + "\n" + m.summary() + "\nthe monitor's output: " + LOG);
    }
  }

  /** When the failed probes were due, in seconds from the clients' start: a burst, a period, or all along. */
  private static String failedAt(Measured m) {
    return secondsOf(m, p -> !p.ok());
  }

  /** When the probes slower than the p99 bound were due, in seconds from the clients' start. */
  static String slowAt(Measured m) {
    return secondsOf(m, p -> p.latencyNanos() > P99_BOUND_MS * 1e6);
  }

  private static String secondsOf(Measured m, Predicate<Probe> which) {
    long from = m.hostileProbes().isEmpty() ? 0 : m.hostileProbes().get(0).dueNanos();
    return m.hostileProbes().stream().filter(which)
        .map(p -> String.format(Locale.ROOT, "%.1f", (p.dueNanos() - from) / 1e9)).distinct().limit(40).toList().toString();
  }

  private static String describe(Probe p) {
    return String.format("%s %s after %d ms", p.path(), p.failure(), TimeUnit.NANOSECONDS.toMillis(p.latencyNanos()));
  }

  private static void awaitStarted(VigilProcess vigil, int port, Duration timeout) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    URI startup = URI.create("http://127.0.0.1:" + port + "/health/startup");
    URI ready = URI.create("http://127.0.0.1:" + port + "/health/ready");
    MonitorFixture.eventually(timeout, "/health/startup and /health/ready 200 with " + CHECKS + " tcp checks UP",
        () -> !vigil.process().isAlive() || status(http, startup) == 200 && status(http, ready) == 200);
    if (!vigil.process().isAlive()) {
      List<String> lines = vigil.lines();
      throw new AssertionError("vigil exited with " + vigil.process().exitValue() + " before it started: "
          + lines.subList(Math.max(0, lines.size() - 10), lines.size()));
    }
  }

  private static int status(HttpClient http, URI uri) {
    try {
      return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static Set<Kind> kinds(String property) {
    if (property == null) {
      return EnumSet.allOf(Kind.class);
    }
    Set<Kind> kinds = EnumSet.noneOf(Kind.class);
    for (String label : property.split(",")) {
      if (!label.isBlank()) {
        kinds.add(Arrays.stream(Kind.values()).filter(k -> k.label.equals(label.trim())).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("vigil.hostile.kinds: unknown kind \"" + label + "\" (kinds: "
                + Arrays.stream(Kind.values()).map(k -> k.label).toList() + ")")));
      }
    }
    return kinds;
  }
}

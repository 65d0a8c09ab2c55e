package io.vigil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.TestPorts;
import io.vigil.testsupport.VigilProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged program's command line, as an operator runs it. */
class CliIT {

  @Test
  void checkConfigOnABadFileExits2AndPrintsEveryErrorWithoutAStackTrace(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, """
        checks:
          defaults: { interval: 1s, timeout: 5x }
          a: { type: tcp, host: 127.0.0.1, port: 1, depends-on: [b], failure-threshold: -1 }
          b: { type: tcp, host: 127.0.0.1, port: 2, depends-on: [a] }
          c: { type: htp, url: "http://x" }
        """);
    try (VigilProcess p = VigilProcess.start(List.of(), "check-config", bad.toString())) {
      assertEquals(2, p.awaitExit(Duration.ofSeconds(20)));
      assertEquals(List.of(
          "vigil: " + bad + ": 4 problems (check types: http, tcp, redis, postgres)",
          "  checks.defaults.timeout: \"5x\" is not a duration (write 500ms, 5s, 1m)",
          "  checks.a.failure-threshold: must be >= 1 (was -1)",
          "  checks.c.type: \"htp\" is not one of http, tcp, redis, postgres",
          "  checks: depends-on has a cycle: a -> b -> a"), p.lines());
    }
  }

  @Test
  void checkConfigOnTheDefaultConfigExits0() throws Exception {
    try (VigilProcess p = VigilProcess.start(List.of(), "check-config", "conf/vigil.yaml")) {
      assertEquals(0, p.awaitExit(Duration.ofSeconds(20)));
      assertTrue(p.lines().get(0).startsWith("conf/vigil.yaml: valid, 5 checks"), p.lines().toString());
    }
  }

  @Test
  void runningOnAMissingConfigExits2WithOneLine() throws Exception {
    try (VigilProcess p = VigilProcess.start(List.of(), "--config", "nope.yaml")) {
      assertEquals(2, p.awaitExit(Duration.ofSeconds(20)));
      assertFalse(String.join("\n", p.lines()).contains("Exception"));
      assertTrue(p.lines().contains("  nope.yaml: no such file"), p.lines().toString());
    }
  }

  @Test
  void sighupIsLoggedAndIgnoredAndTheMonitorKeepsServingUntilSigterm(@TempDir Path dir) throws Exception {
    try (VigilProcess p = VigilProcess.run(dir, """
        server: { host: 127.0.0.1, port: 0, shutdown: { drain-delay: 0s, timeout: 5s } }
        probes: { readiness: { checks: [] } }
        checks: {}
        """)) {
      int port = p.awaitPort(Duration.ofSeconds(20));
      MonitorFixture.eventually(Duration.ofSeconds(10), "ready before the signal", () -> status(port, "/health/ready") == 200);
      for (int i = 1; i <= 3; i++) { // more than once: the handler stays installed
        p.signal("HUP");
        long seen = i;
        MonitorFixture.eventually(Duration.ofSeconds(10), "SIGHUP line " + i,
            () -> p.lines().stream().filter(l -> l.contains("signal=SIGHUP ignored")).count() == seen || !p.process().isAlive());
        Thread.sleep(200); // the JVM's own SIGHUP handling (exit 129) would have ended it by now
        assertTrue(p.process().isAlive(), () -> "SIGHUP ended the process with status " + p.process().exitValue()
            + "; output: " + p.lines());
      }
      assertEquals(200, status(port, "/health/live"));
      assertEquals(200, status(port, "/health/ready"), "not draining either");
      assertFalse(p.lines().stream().anyMatch(l -> l.startsWith("\tat ") || l.contains("Exception")), "one line each, no stack trace");
      assertFalse(p.lines().stream().anyMatch(l -> l.contains("phase=DRAINING")), p.lines().toString());
      p.signal("TERM");
      assertEquals(0, p.awaitExit(Duration.ofSeconds(10)), "SIGTERM still drains and exits 0; output: " + p.lines());
    }
  }

  /**
   * Under a Turkish locale {@code "I".toLowerCase()} is a dotless i and {@code "i".toUpperCase()} a
   * dotted I: every case mapping in the config path must use Locale.ROOT, or {@code REDIS},
   * {@code AUTHORIZED} and the hint for {@code TIMEOUT} would all read differently.
   */
  @Test
  void checkConfigReadsTheSameUnderATurkishLocale(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("tr.yaml");
    Files.writeString(config, """
        server: { details: AUTHORIZED, token: "0123456789abcdef0123" }
        checks:
          cache: { type: REDIS, uri: "redis://127.0.0.1:6379", interval: 10S, expect: { role: MASTER } }
          api: { type: HTTP, url: "http://127.0.0.1:3000/health", method: get, TIMEOUT: 1s, INTERVAL: 5s }
          db: { type: POSTGRES, uri: "postgresql://postgres@127.0.0.1:5432/test", interval: 1MIN }
        """);
    try (VigilProcess p = VigilProcess.start(List.of("-Duser.language=tr", "-Duser.country=TR"), "check-config", config.toString())) {
      assertEquals(2, p.awaitExit(Duration.ofSeconds(20)));
      assertEquals(List.of(
          "vigil: " + config + ": 3 problems (check types: http, tcp, redis, postgres)",
          "  checks.api: unknown key \"TIMEOUT\" (keys are lower case: \"timeout\")",
          "  checks.api: unknown key \"INTERVAL\" (keys are lower case: \"interval\")",
          "  checks.db.interval: \"1MIN\" is not a duration (write 500ms, 5s, 1m)"), p.lines());
    }
    Files.writeString(config, Files.readString(config).replace(", TIMEOUT: 1s, INTERVAL: 5s", "").replace("1MIN", "1M"));
    try (VigilProcess p = VigilProcess.start(List.of("-Duser.language=tr", "-Duser.country=TR"), "check-config", config.toString())) {
      assertEquals(0, p.awaitExit(Duration.ofSeconds(20)), p.lines().toString());
      assertEquals(List.of(config + ": valid, 3 checks (cache:redis, api:http, db:postgres)"), p.lines());
    }
  }

  /** The serving side under a Turkish locale: meter types and the bearer scheme are case-mapped too. */
  @Test
  void theRunningMonitorAnswersTheSameUnderATurkishLocale(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("vigil.yaml");
    Files.writeString(config, """
        server: { host: 127.0.0.1, port: 0, details: authorized, token: "0123456789abcdef0123", shutdown: { drain-delay: 0s, timeout: 5s } }
        checks:
          closed: { type: TCP, host: 127.0.0.1, port: %d, interval: 200ms, timeout: 150ms, failure-threshold: 1 }
        """.formatted(TestPorts.closed()));
    try (VigilProcess p = VigilProcess.start(List.of("-Xmx256m", "-Duser.language=tr", "-Duser.country=TR"), "--config", config.toString())) {
      int port = p.awaitPort(Duration.ofSeconds(20));
      MonitorFixture.eventually(Duration.ofSeconds(10), "the check reported", () -> status(port, "/health/startup") == 200);
      String json = get(port, "/metrics?format=json");
      assertTrue(json.contains("\"type\":\"timer\""), "Micrometer's TIMER as \"timer\": " + json.substring(0, Math.min(json.length(), 300)));
      assertFalse(json.contains("\u0131"), "no dotless i in meter types");
      String lowerCaseScheme = get(port, "/health", "Authorization", "bearer 0123456789abcdef0123");
      assertTrue(lowerCaseScheme.contains("\"reason\":\"connection_refused\""), "the scheme is case-insensitive: " + lowerCaseScheme);
      p.signal("TERM");
      assertEquals(0, p.awaitExit(Duration.ofSeconds(10)), p.lines().toString());
    }
  }

  @Test
  void everyOutOfRangeValueIsOneLineWithItsPathAndExit2(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("ranges.yaml");
    Files.writeString(bad, """
        server: { port: 99999999999, details: authorized, token: short, shutdown: { timeout: 9999999999999999h } }
        checks:
          a: { type: tcp, host: 127.0.0.1, port: 0, failure-threshold: 123456789012345678901234567890 }
          db: { type: postgres, uri: "postgresql://postgres@127.0.0.1:5432/test", pool-size: -1 }
        """);
    try (VigilProcess p = VigilProcess.start(List.of(), "--config", bad.toString())) {
      assertEquals(2, p.awaitExit(Duration.ofSeconds(20)));
      assertEquals(List.of(
          "vigil: " + bad + ": 6 problems (check types: http, tcp, redis, postgres)",
          "  server.port: must be <= 65535 (was 99999999999)",
          "  server.shutdown.timeout: must be at most 24h (was 9999999999999999h)",
          "  server.token: must be at least 16 characters when details is \"authorized\" (was 5); e.g. openssl rand -hex 32",
          "  checks.a.failure-threshold: must be <= 1000 (was 123456789012345678901234567890)",
          "  checks.a.port: must be >= 1 (was 0)",
          "  checks.db.pool-size: must be >= 1 (was -1)"), p.lines());
    }
  }

  private static int status(int port, String path) {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static String get(int port, String path, String... headers) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString()).body();
  }
}

package io.vigil.config;

import io.vigil.model.CheckOptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {
  private static final Path INVALID = Path.of("src/test/resources/config/invalid");
  private final ConfigLoader loader = new ConfigLoader(Map.of());

  static Stream<Path> invalidFixtures() throws IOException {
    return Files.list(INVALID).filter(p -> p.toString().endsWith(".yaml")).sorted();
  }

  /** Each fixture's first line says the one problem it must produce, exactly. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidFixtures")
  void eachInvalidFixtureReportsItsExactProblem(Path fixture) throws IOException {
    String first = Files.readAllLines(fixture).get(0);
    assertTrue(first.startsWith("# expect: "), fixture + " must start with '# expect: <message>'");
    String expected = first.substring("# expect: ".length());
    ConfigException e = assertThrows(ConfigException.class, () -> loader.load(fixture));
    List<String> problems = e.problems().stream().map(p -> p.replace(fixture.toString(), fixture.getFileName().toString())).toList();
    assertEquals(List.of(expected), problems);
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("""
        server: { port: -1 }
        checks:
          redis: { type: redis, uri: "redis://127.0.0.1:6379", timeout: 5x, intervall: 5s }
          api: { type: http, depends-on: [nope] }
        """, "test.yaml"));
    assertEquals(List.of(
        "server.port: must be >= 0 (was -1)",
        "checks.redis.timeout: \"5x\" is not a duration (write 500ms, 5s, 1m)",
        "checks.redis: unknown key \"intervall\"",
        "checks.api.url: is required",
        "checks.api.depends-on: unknown check \"nope\""), e.problems());
  }

  @Test
  void everyUnknownKeyOfOneMappingIsReported() {
    ConfigException e = assertThrows(ConfigException.class, () -> loader.parse(
        "checks:\n  r: { type: redis, uri: \"redis://127.0.0.1:6379\", intervall: 5s, timeot: 1s }\n", "t.yaml"));
    assertEquals(List.of("checks.r: unknown key \"intervall\"", "checks.r: unknown key \"timeot\""), e.problems());
  }

  @Test
  void defaultConfigIsValidAndMatchesTheDesign() {
    VigilConfig c = loader.load(Path.of("conf/vigil.yaml"));
    assertEquals(List.of("api", "worker", "redis", "postgres", "nginx"), c.checks().stream().map(CheckConfig::name).toList());
    assertEquals(9090, c.server().port());
    assertEquals(Duration.ofSeconds(5), c.server().drainDelay());
    assertEquals(Duration.ofSeconds(20), c.server().shutdownTimeout());
    assertEquals(List.of("api", "redis", "postgres"), c.readinessChecks());
    CheckConfig api = c.checks().get(0);
    assertEquals(List.of("redis", "postgres"), api.options().dependsOn());
    assertEquals(3, api.options().failureThreshold());
    HttpSettings http = (HttpSettings) api.settings();
    assertEquals("http://127.0.0.1:3000/health", http.url().toString());
    assertEquals(Map.of("status", "healthy"), http.expectJson());
    assertEquals(Duration.ofMillis(500), http.maxLatency());
    assertFalse(c.checks().get(1).options().critical());
    assertTrue(((RedisSettings) c.checks().get(2).settings()).writable());
    assertEquals(Boolean.TRUE, ((PostgresSettings) c.checks().get(3).settings()).primary());
    assertFalse(c.checks().get(4).options().critical());
  }

  @Test
  void environmentVariablesReplacePlaceholdersAndDefaultsApplyWhenUnsetOrEmpty() {
    ConfigLoader withEnv = new ConfigLoader(Map.of("REDIS_URL", "redis://10.0.0.9:6380", "EMPTY", ""));
    VigilConfig c = withEnv.parse("""
        checks:
          redis: { type: redis, uri: "${REDIS_URL:-redis://127.0.0.1:6379}" }
          other: { type: redis, uri: "${UNSET_ONE:-redis://127.0.0.1:1}", password: "${EMPTY:-fallback}" }
        """, "t.yaml");
    assertEquals("redis://10.0.0.9:6380", ((RedisSettings) c.checks().get(0).settings()).uri());
    RedisSettings other = (RedisSettings) c.checks().get(1).settings();
    assertEquals("redis://127.0.0.1:1", other.uri());
    assertEquals("fallback", other.password());
  }

  @Test
  void variableFileIsReadWhenTheVariableIsUnset(@TempDir Path dir) throws IOException {
    Path secret = dir.resolve("pg_password");
    Files.writeString(secret, "from-a-secret-file\n");
    ConfigLoader withEnv = new ConfigLoader(Map.of("POSTGRES_PASSWORD_FILE", secret.toString()));
    VigilConfig c = withEnv.parse("""
        checks:
          pg: { type: postgres, uri: "postgresql://postgres@127.0.0.1/test", password: "${POSTGRES_PASSWORD:-}" }
        """, "t.yaml");
    assertEquals("from-a-secret-file", ((PostgresSettings) c.checks().get(0).settings()).password());
  }

  @Test
  void unreadableVariableFileIsAProblemNamingTheFile() {
    ConfigLoader withEnv = new ConfigLoader(Map.of("PW_FILE", "/nonexistent/secret"));
    ConfigException e = assertThrows(ConfigException.class, () -> withEnv.parse("""
        checks:
          pg: { type: postgres, uri: "postgresql://postgres@127.0.0.1/test", password: "${PW}" }
        """, "t.yaml"));
    assertEquals(List.of("checks.pg.password: PW_FILE names \"/nonexistent/secret\", which cannot be read"), e.problems());
  }

  @Test
  void defaultsApplyToEveryCheckUnlessOverridden() {
    VigilConfig c = loader.parse("""
        checks:
          defaults: { interval: 10s, timeout: 1s, failure-threshold: 5, critical: false }
          a: { type: tcp, host: 127.0.0.1, port: 1 }
          b: { type: tcp, host: 127.0.0.1, port: 2, critical: true, interval: 30s, max-age: 2m }
        """, "t.yaml");
    CheckOptions a = c.checks().get(0).options();
    assertEquals(Duration.ofSeconds(10), a.interval());
    assertEquals(5, a.failureThreshold());
    assertFalse(a.critical());
    assertEquals(Duration.ofSeconds(30), a.effectiveMaxAge(), "max-age defaults to 3 x interval");
    CheckOptions b = c.checks().get(1).options();
    assertTrue(b.critical());
    assertEquals(Duration.ofMinutes(2), b.effectiveMaxAge());
  }

  @Test
  void missingReadinessGroupMeansEveryCriticalCheck() {
    VigilConfig c = loader.parse("checks: { a: { type: tcp, host: 127.0.0.1, port: 1 } }", "t.yaml");
    assertNull(c.readinessChecks());
    VigilConfig empty = loader.parse("probes: { readiness: { checks: [] } }\nchecks: {}", "t.yaml");
    assertEquals(List.of(), empty.readinessChecks());
  }

  @Test
  void bridgeIsOffAndOnLoopbackUnlessItsSectionSaysOtherwiseWithOrWithoutACluster() {
    assertEquals(new BridgeConfig(false, "127.0.0.1", 7000), loader.parse("checks: {}", "t.yaml").bridge());
    VigilConfig c = loader.parse("""
        cluster: { enabled: true, port: 5801 }
        bridge: { enabled: true, host: 0.0.0.0, port: 7100 }
        checks: {}
        """, "t.yaml");
    assertEquals(new BridgeConfig(true, "0.0.0.0", 7100), c.bridge());
    assertTrue(c.cluster().enabled());
    assertEquals(new BridgeConfig(false, "127.0.0.1", 9090), loader.parse("bridge: { port: 9090 }\nchecks: {}", "t.yaml").bridge(),
        "a bridge that is off takes no port, so it may name server.port");
  }

  @Test
  void missingFileIsOneClearProblem() {
    ConfigException e = assertThrows(ConfigException.class, () -> loader.load(Path.of("no/such/vigil.yaml")));
    assertEquals(List.of("no/such/vigil.yaml: no such file"), e.problems());
  }

  @Test
  void passwordsInUrisNeverAppearInProblems() {
    ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("""
        checks:
          r: { type: redis, uri: "http://user:TopSecret99@127.0.0.1:6379" }
          a: { type: http, url: "ftp://u:TopSecret99@host/x" }
        """, "t.yaml"));
    e.problems().forEach(p -> assertFalse(p.contains("TopSecret99"), p));
    assertEquals(2, e.problems().size());
  }

  /**
   * Under a Turkish locale {@code "REDIS".toLowerCase()} is "redıs" and {@code "i".toUpperCase()}
   * a dotted I: every case mapping of the loader must be Locale.ROOT. In-process here; CliIT runs
   * the packaged program under {@code -Duser.language=tr}.
   */
  @Test
  void enumerationsTypesAndKeyHintsReadTheSameUnderATurkishLocale() {
    java.util.Locale before = java.util.Locale.getDefault();
    java.util.Locale.setDefault(java.util.Locale.forLanguageTag("tr-TR"));
    try {
      VigilConfig c = loader.parse("""
          server: { details: AUTHORIZED, token: "0123456789abcdef" }
          checks:
            r: { type: REDIS, uri: "redis://127.0.0.1:6379", interval: 10S, expect: { role: REPLICA } }
            h: { type: Http, url: "http://127.0.0.1/health", method: post }
          """, "t.yaml");
      assertEquals(Details.AUTHORIZED, c.server().details());
      assertEquals(List.of("redis", "http"), c.checks().stream().map(CheckConfig::type).toList());
      assertEquals(Duration.ofSeconds(10), c.checks().get(0).options().interval());
      assertEquals("replica", ((RedisSettings) c.checks().get(0).settings()).role());
      assertEquals("POST", ((HttpSettings) c.checks().get(1).settings()).method());
      ConfigException e = assertThrows(ConfigException.class, () -> loader.parse(
          "checks:\n  r: { type: redis, uri: \"redis://127.0.0.1:6379\", INTERVAL: 1s }\n", "t.yaml"));
      assertEquals(List.of("checks.r: unknown key \"INTERVAL\" (keys are lower case: \"interval\")"), e.problems());
    } finally {
      java.util.Locale.setDefault(before);
    }
  }

  @Test
  void aConfigFileThatNeverEndsOrIsNotTextIsOneProblem(@TempDir Path dir) throws IOException {
    assertEquals(List.of("/dev/zero: is larger than 4 MiB; is it the config?"),
        assertThrows(ConfigException.class, () -> loader.load(Path.of("/dev/zero"))).problems());
    Path binary = dir.resolve("vigil.yaml");
    Files.write(binary, new byte[] {(byte) 0xC3, (byte) 0x28, 'a'});
    assertEquals(List.of(binary + ": is not UTF-8 text; is it the config?"),
        assertThrows(ConfigException.class, () -> loader.load(binary)).problems());
  }

  /** SnakeYAML's default limit (3 Mi code points) refused this file before the loader's 4 MiB did. */
  @Test
  void fiftyThousandChecksFitInOneFile() {
    StringBuilder yaml = new StringBuilder("checks:\n");
    for (int i = 0; i < 50_000; i++) {
      yaml.append("  target-").append(i).append(": { type: http, url: \"http://127.0.0.1:23456/targets/").append(i).append("\" }\n");
    }
    assertTrue(yaml.length() > 3 * 1024 * 1024, "more than SnakeYAML's default limit: " + yaml.length());
    assertEquals(50_000, loader.parse(yaml.toString(), "big.yaml").checks().size());
  }

  @Test
  void aVariableFileThatNeverEndsIsAProblemNotAnOutOfMemoryError() {
    ConfigLoader withEnv = new ConfigLoader(Map.of("PW_FILE", "/dev/zero"));
    ConfigException e = assertThrows(ConfigException.class, () -> withEnv.parse("""
        checks:
          pg: { type: postgres, uri: "postgresql://postgres@127.0.0.1/test", password: "${PW}" }
        """, "t.yaml"));
    assertEquals(List.of("checks.pg.password: PW_FILE names \"/dev/zero\", which is larger than 64 KiB (a secret file holds one value)"),
        e.problems());
  }

  @Test
  void recordsNeverPrintPasswordsTokensOrSecretHeaders() {
    VigilConfig c = new ConfigLoader(Map.of("T", "Token-0123456789abcdef")).parse("""
        server: { details: authorized, token: "${T}" }
        checks:
          r: { type: redis, uri: "redis://:UriPw-1@127.0.0.1:6379", password: FieldPw-2 }
          p: { type: postgres, uri: "postgresql://u:UriPw-3@127.0.0.1/db?password=QueryPw-4", password: FieldPw-5 }
          h: { type: http, url: "http://u:UriPw-6@127.0.0.1/h?token=QueryTok-7", headers: { X-Api-Key: Key-8, X-Foo: Foo-9, Accept: text/plain },
               secret-headers: [X-Foo] }
          t: { type: tcp, host: 127.0.0.1, port: 25, send: "AUTH PLAIN password=TcpPw-10" }
        """, "t.yaml");
    String all = c.toString();
    for (String secret : List.of("Token-0123456789abcdef", "UriPw-1", "FieldPw-2", "UriPw-3", "QueryPw-4", "FieldPw-5", "UriPw-6",
        "QueryTok-7", "Key-8", "Foo-9", "TcpPw-10")) {
      assertFalse(all.contains(secret), secret + " in " + all);
    }
    assertTrue(all.contains("Accept=text/plain"), "what is not secret stays readable: " + all);
  }
}

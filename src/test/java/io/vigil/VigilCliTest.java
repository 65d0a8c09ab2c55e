package io.vigil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: check-config, usage errors and exit codes. */
class VigilCliTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Vigil.launch(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void checkConfigAcceptsTheDefaultConfig() {
    assertEquals(0, run("check-config", "conf/vigil.yaml"));
    assertEquals("conf/vigil.yaml: valid, 5 checks (api:http, worker:http, redis:redis, postgres:postgres, nginx:http)\n",
        out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void checkConfigListsEveryErrorWithItsPathAndExits2WithoutAStackTrace(@TempDir Path dir) throws IOException {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, """
        server: { port: 70000, details: sometimes }
        checks:
          redis: { type: redis, uri: "redis://127.0.0.1:6379", timeout: 5x }
          api: { type: http, url: "http://127.0.0.1:3000/health", depends-on: [redsi], intervall: 5s }
        """);
    assertEquals(2, run("check-config", bad.toString()));
    List<String> lines = err().lines().toList();
    assertEquals(List.of(
        "vigil: " + bad + ": 5 problems (check types: http, tcp, redis, postgres)",
        "  server.port: must be <= 65535 (was 70000)",
        "  server.details: \"sometimes\" is not one of always, authorized, never",
        "  checks.redis.timeout: \"5x\" is not a duration (write 500ms, 5s, 1m)",
        "  checks.api: unknown key \"intervall\"",
        "  checks.api.depends-on: unknown check \"redsi\""), lines);
    assertFalse(err().contains("Exception"), err());
    assertFalse(err().contains("\tat "), err());
  }

  @Test
  void runningWithABadConfigExits2BeforeStartingAnything(@TempDir Path dir) throws IOException {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "checks: { redis: { type: redis } }\n");
    assertEquals(2, run("--config", bad.toString()));
    assertTrue(err().contains("checks.redis.uri: is required"), err());
  }

  @Test
  void unknownArgumentsAreUsageErrors() {
    assertEquals(2, run("--confg", "x.yaml"));
    assertTrue(err().startsWith("vigil: unknown argument \"--confg\""), err());
    assertTrue(err().contains("usage: vigil"), err());
  }

  @Test
  void checkConfigNeedsExactlyOneFile() {
    assertEquals(2, run("check-config"));
    assertTrue(err().startsWith("vigil: check-config takes exactly one FILE"), err());
  }

  @Test
  void missingConfigFileIsNamed() {
    assertEquals(2, run("check-config", "does/not/exist.yaml"));
    assertTrue(err().contains("does/not/exist.yaml: no such file"), err());
  }

  @Test
  void anOverflowingDurationIsOneLineAndExit2NotAStackTrace(@TempDir Path dir) throws IOException {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "checks:\n  r: { type: redis, uri: \"redis://127.0.0.1:6379\", interval: 9999999999999999h }\n");
    assertEquals(2, run("--config", bad.toString()));
    assertEquals(List.of("vigil: " + bad + ": 1 problem (check types: http, tcp, redis, postgres)",
        "  checks.r.interval: must be at most 24h (was 9999999999999999h)"), err().lines().toList());
  }

  @Test
  void problemsQuotingACredentialPrintItMasked(@TempDir Path dir) throws IOException {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, """
        checks:
          api: { type: http, url: "https://ops:Cli-Pw-42@127.0.0.1:99999/health?api_key=Cli-Key-43" }
          db: { type: postgres, uri: "postgresql://app:Cli-Pw-44@127.0.0.1:5432/db", password: Cli-Pw-45, pool-size: Cli-Pw-45 }
        """);
    assertEquals(2, run("check-config", bad.toString()));
    assertEquals(List.of("vigil: " + bad + ": 2 problems (check types: http, tcp, redis, postgres)",
        "  checks.api.url: \"https://ops:****@127.0.0.1:99999/health?api_key=****\": port must be 1-65535 (was 99999)",
        "  checks.db.pool-size: \"****\" is not a whole number"), err().lines().toList());
  }
}

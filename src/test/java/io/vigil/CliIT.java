package io.vigil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.testsupport.VigilProcess;
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
}

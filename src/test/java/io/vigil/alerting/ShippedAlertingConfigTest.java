package io.vigil.alerting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The shipped alerting config, checked by Prometheus' and Alertmanager's own tools: the rules load,
 * every alert's unit tests pass ({@code conf/prometheus/vigil-rules.test.yml}: the Redis outage with
 * its dependents labelled by root cause, criticality, UNKNOWN on one member or all, certificates, the
 * monitor down, unscraped or slow), and Alertmanager's config is valid and routes by severity.
 */
class ShippedAlertingConfigTest {
  private static final Path RULES = Path.of("conf/prometheus/vigil-rules.yml");
  private static final Path RULE_TESTS = Path.of("conf/prometheus/vigil-rules.test.yml");
  private static final Path ALERTMANAGER = Path.of("conf/alertmanager/alertmanager.yml");

  private record Run(int exit, String output) {}

  private static Run run(String tool, String debianPackage, String... args) throws Exception {
    Path binary = Path.of("/usr/bin", tool);
    if (!Files.isExecutable(binary)) {
      throw new AssertionError(tool + " is missing: apt-get install -y " + debianPackage + " (.ci/run installs it)");
    }
    List<String> command = new ArrayList<>(List.of(binary.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(tool + " did not finish in 60 s");
    }
    return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void theRulesLoadAndEveryAlertsUnitTestsPass() throws Exception {
    Run check = run("promtool", "prometheus", "check", "rules", RULES.toString());
    assertEquals(0, check.exit(), check.output());
    Run tests = run("promtool", "prometheus", "test", "rules", RULE_TESTS.toString());
    assertEquals(0, tests.exit(), tests.output());
    assertTrue(tests.output().contains("SUCCESS"), tests.output());
  }

  @Test
  void everyAlertOfTheRulesHasATestCase() throws IOException {
    List<String> alerts = Files.readAllLines(RULES).stream().map(String::trim).filter(l -> l.startsWith("- alert: "))
        .map(l -> l.substring("- alert: ".length())).toList();
    String tests = Files.readString(RULE_TESTS);
    List<String> untested = alerts.stream().filter(a -> !tests.contains("alertname: " + a + "\n")).toList();
    assertEquals(List.of(), untested, "alerts without an alert_rule_test in " + RULE_TESTS);
    assertTrue(alerts.size() >= 8, "alerts found: " + alerts);
  }

  @Test
  void alertmanagersConfigIsValidAndRoutesBySeverity() throws Exception {
    Run check = run("amtool", "prometheus-alertmanager", "check-config", ALERTMANAGER.toString());
    assertEquals(0, check.exit(), check.output());
    assertEquals("on-call", route("alertname=VigilCheckDown", "severity=critical", "check=redis"));
    assertEquals("team-chat", route("alertname=VigilCheckUnknown", "severity=warning", "check=redis"));
    assertEquals("team-chat", route("alertname=Other"));
  }

  private static String route(String... labels) throws Exception {
    List<String> args = new ArrayList<>(List.of("config", "routes", "test", "--config.file=" + ALERTMANAGER));
    args.addAll(List.of(labels));
    Run r = run("amtool", "prometheus-alertmanager", args.toArray(String[]::new));
    assertEquals(0, r.exit(), r.output());
    List<String> lines = r.output().trim().lines().toList(); // amtool warns first that the file overrides its URL
    return lines.get(lines.size() - 1).trim();
  }
}

package io.vigil.config;

import java.util.List;

/**
 * The whole validated configuration. {@code readinessChecks} null means "every critical check";
 * an empty list makes readiness about the monitor alone.
 */
public record VigilConfig(ServerConfig server, List<String> readinessChecks, List<CheckConfig> checks) {

  public VigilConfig {
    readinessChecks = readinessChecks == null ? null : List.copyOf(readinessChecks);
    checks = List.copyOf(checks);
  }
}

package io.vigil.config;

import io.vigil.model.LatencyHistogram;
import java.util.List;

/**
 * The whole validated configuration. {@code readinessChecks} null means "every critical check";
 * an empty list makes readiness about the monitor alone. {@code latencyHistogram} is the
 * {@code metrics.latency-histogram} section, {@code cluster} the {@code cluster} one, {@code bridge}
 * the {@code bridge} one, {@code notifiers} the {@code notify} one (none by default), {@code maintenance} the
 * {@code maintenance} one.
 */
public record VigilConfig(ServerConfig server, List<String> readinessChecks, List<CheckConfig> checks,
    LatencyHistogram latencyHistogram, ClusterConfig cluster, BridgeConfig bridge, List<NotifierConfig> notifiers,
    MaintenanceConfig maintenance) {

  public VigilConfig {
    maintenance = maintenance == null ? MaintenanceConfig.NONE : maintenance;
    notifiers = notifiers == null ? List.of() : List.copyOf(notifiers);
    readinessChecks = readinessChecks == null ? null : List.copyOf(readinessChecks);
    checks = List.copyOf(checks);
    latencyHistogram = latencyHistogram == null ? LatencyHistogram.DEFAULT : latencyHistogram;
    cluster = cluster == null ? ClusterConfig.DISABLED : cluster;
    bridge = bridge == null ? BridgeConfig.DISABLED : bridge;
  }

  /** Without a notify section: no built-in notifier. */
  public VigilConfig(ServerConfig server, List<String> readinessChecks, List<CheckConfig> checks,
      LatencyHistogram latencyHistogram, ClusterConfig cluster, BridgeConfig bridge) {
    this(server, readinessChecks, checks, latencyHistogram, cluster, bridge, List.of(), MaintenanceConfig.NONE);
  }

  /** Without a cluster or bridge section: one process, no bridge. */
  public VigilConfig(ServerConfig server, List<String> readinessChecks, List<CheckConfig> checks,
      LatencyHistogram latencyHistogram) {
    this(server, readinessChecks, checks, latencyHistogram, ClusterConfig.DISABLED, BridgeConfig.DISABLED);
  }
}

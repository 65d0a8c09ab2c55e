package io.vigil.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.util.Set;

/** Builds the Prometheus registry the {@code vigil} program serves. */
public final class Registries {
  /**
   * Micrometer 1.15 binders whose names break Prometheus naming rules ({@code promtool check
   * metrics}): units in the name ({@code _ms}, {@code _ns}) or a gauge ending in {@code _count}.
   * {@code process_cpu_seconds_total} replaces the CPU one under its conventional name.
   */
  private static final Set<String> MISNAMED = Set.of("jvm.compilation.time", "process.cpu.time", "system.cpu.count");

  private Registries() {}

  public static PrometheusMeterRegistry prometheus() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(MeterFilter.deny(id -> MISNAMED.contains(id.getName())))
        .meterFilter(new NoAddressLabels());
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9)
          .description("CPU time used by the process").baseUnit("seconds").register(registry);
    }
    return registry;
  }
}

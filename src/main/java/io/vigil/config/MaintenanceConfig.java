package io.vigil.config;

import io.vigil.model.MaintenanceWindow;
import java.util.List;

/**
 * The {@code maintenance:} section: recurring windows, and whether readiness still follows a check
 * while it is in maintenance ({@code readiness-follows}, default true: a target under maintenance is
 * still not there for traffic).
 */
public record MaintenanceConfig(boolean readinessFollows, List<MaintenanceWindow> windows) {

  public static final MaintenanceConfig NONE = new MaintenanceConfig(true, List.of());

  public MaintenanceConfig {
    windows = List.copyOf(windows);
  }
}

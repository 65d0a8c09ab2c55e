package io.vigil.model;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.Set;

/**
 * A recurring maintenance window from the config: from {@code start} (local time in {@code zone})
 * for {@code duration}, on {@code days}; {@code checks} null means every check. A window may run
 * past midnight (it belongs to the day it starts on). Daylight-saving gaps and overlaps follow
 * {@link ZonedDateTime}: a start in a gap moves forward by the gap, one in an overlap takes the
 * earlier offset.
 */
public record MaintenanceWindow(String name, LocalTime start, Duration duration, Set<DayOfWeek> days, ZoneId zone,
    Set<String> checks) {

  public MaintenanceWindow {
    days = days.isEmpty() ? EnumSet.noneOf(DayOfWeek.class) : EnumSet.copyOf(days);
    checks = checks == null ? null : Set.copyOf(checks);
  }

  /** True while {@code now} is inside an occurrence of this window. */
  public boolean covers(Instant now) {
    LocalDate today = now.atZone(zone).toLocalDate();
    long back = duration.toDays() + 1; // an occurrence that started this many days ago may still run (past midnight)
    for (long d = 0; d <= back; d++) {
      LocalDate day = today.minusDays(d);
      if (days.contains(day.getDayOfWeek())) {
        Instant from = ZonedDateTime.of(day, start, zone).toInstant();
        if (!now.isBefore(from) && now.isBefore(from.plus(duration))) {
          return true;
        }
      }
    }
    return false;
  }

  /** True when this window is about {@code check}. */
  public boolean about(String check) {
    return checks == null || checks.contains(check);
  }
}

package io.vigil.config;

import io.vigil.model.MaintenanceWindow;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads {@code maintenance: { readiness-follows, windows: { NAME: { start, duration, days,
 * time-zone, checks } } }}. Days are written {@code mon} to {@code sun} or in full, in any case
 * (matched under {@link Locale#ROOT}); the time zone is an IANA name such as {@code Europe/Berlin}
 * (default UTC).
 */
final class MaintenanceReader {
  private static final List<String> DAYS = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");

  private MaintenanceReader() {}

  static MaintenanceConfig maintenance(ConfigNode n) {
    boolean follows = n.bool("readiness-follows", true);
    ConfigNode ws = n.child("windows");
    List<MaintenanceWindow> windows = new ArrayList<>();
    for (String name : ws.keys()) {
      MaintenanceWindow w = window(name, ws.child(name));
      if (w != null) {
        windows.add(w);
      }
    }
    ws.finish();
    n.finish();
    return new MaintenanceConfig(follows, windows);
  }

  private static MaintenanceWindow window(String name, ConfigNode w) {
    String startText = w.requiredString("start");
    LocalTime start = null;
    if (startText != null) {
      try {
        start = LocalTime.parse(startText.trim());
      } catch (DateTimeParseException e) {
        w.problem("start", "\"" + startText + "\" is not a time of day (write 02:00 or 23:30)");
      }
    }
    Duration duration = w.duration("duration", null);
    if (duration == null && !w.problems().has(w.pathOf("duration"))) {
      w.problem("duration", "is required (e.g. 1h)");
    }
    Set<DayOfWeek> days = days(w);
    ZoneId zone = ZoneOffset.UTC;
    String zoneText = w.string("time-zone", null);
    if (zoneText != null) {
      try {
        zone = ZoneId.of(zoneText.trim());
      } catch (DateTimeException e) {
        w.problem("time-zone", "\"" + zoneText + "\" is not a time zone (write an IANA name such as Europe/Berlin, or UTC)");
        zone = null;
      }
    }
    List<String> checks = w.stringList("checks");
    w.finish();
    if (start == null || duration == null || days == null || zone == null) {
      return null;
    }
    return new MaintenanceWindow(name, start, duration, days, zone, checks == null ? null : new HashSet<>(checks));
  }

  private static Set<DayOfWeek> days(ConfigNode w) {
    List<String> written = w.stringList("days");
    if (written == null) {
      return EnumSet.allOf(DayOfWeek.class);
    }
    Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
    for (int i = 0; i < written.size(); i++) {
      String d = written.get(i).trim().toLowerCase(Locale.ROOT);
      int at = d.length() >= 3 ? DAYS.indexOf(d.substring(0, 3)) : -1;
      if (at < 0 || !(d.length() == 3 || DayOfWeek.of(at + 1).name().toLowerCase(Locale.ROOT).equals(d))) {
        w.problem("days[" + i + "]", "\"" + written.get(i) + "\" is not a day (write mon, tue, ... sun)");
        return null;
      }
      days.add(DayOfWeek.of(at + 1));
    }
    return days;
  }

  /** Problems for windows naming checks that do not exist. */
  static void validateChecks(MaintenanceConfig m, List<String> declared, Problems problems) {
    for (MaintenanceWindow w : m.windows()) {
      if (w.checks() == null) {
        continue;
      }
      for (String check : w.checks().stream().sorted().toList()) {
        if (!declared.contains(check)) {
          problems.add("maintenance.windows." + w.name() + ".checks", "unknown check \"" + check + "\"");
        }
      }
    }
  }
}

package io.vigil.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.MaintenanceWindow;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MaintenanceConfigTest {
  private static final String CHECKS = """
      checks:
        postgres: { type: postgres, uri: "postgresql://vigil@127.0.0.1:5432/test" }
      """;
  private final ConfigLoader loader = new ConfigLoader(Map.of());

  @Test
  void withoutASectionNothingIsInMaintenanceAndReadinessFollows() {
    MaintenanceConfig m = loader.parse(CHECKS, "t.yaml").maintenance();
    assertTrue(m.readinessFollows());
    assertEquals(List.of(), m.windows());
  }

  @Test
  void aWindowReadsItsDaysZoneAndChecksInAnyLocale() {
    Locale before = Locale.getDefault();
    Locale.setDefault(Locale.forLanguageTag("tr-TR"));
    try {
      MaintenanceConfig m = loader.parse(CHECKS + """
          maintenance:
            readiness-follows: false
            windows:
              backup: { start: "02:00", duration: 90m, days: [MON, Friday], time-zone: Europe/Istanbul, checks: [postgres] }
              always: { start: "00:00", duration: 1h }
          """, "t.yaml").maintenance();
      assertFalse(m.readinessFollows());
      MaintenanceWindow w = m.windows().get(0);
      assertEquals(new MaintenanceWindow("backup", LocalTime.of(2, 0), Duration.ofMinutes(90),
          EnumSet.of(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), ZoneId.of("Europe/Istanbul"), Set.of("postgres")), w);
      MaintenanceWindow all = m.windows().get(1);
      assertEquals(EnumSet.allOf(DayOfWeek.class), all.days());
      assertEquals(ZoneOffset.UTC, all.zone());
      assertNull(all.checks());
    } finally {
      Locale.setDefault(before);
    }
  }

  @Test
  void everyWindowMistakeIsNamedWithItsPath() {
    ConfigException e = assertThrows(ConfigException.class, () -> loader.parse(CHECKS + """
        maintenance:
          readiness-follow: true
          windows:
            a: { start: "25:00", duration: 1h }
            b: { start: "02:00", days: [mon, someday] }
            c: { start: "02:00", duration: 1h, time-zone: Mars/Olympus }
            d: { start: "02:00", duration: 1h, checks: [nope] }
        """, "t.yaml"));
    assertEquals(List.of(
        "maintenance.windows.a.start: \"25:00\" is not a time of day (write 02:00 or 23:30)",
        "maintenance.windows.b.duration: is required (e.g. 1h)",
        "maintenance.windows.b.days[1]: \"someday\" is not a day (write mon, tue, ... sun)",
        "maintenance.windows.c.time-zone: \"Mars/Olympus\" is not a time zone (write an IANA name such as Europe/Berlin, or UTC)",
        "maintenance: unknown key \"readiness-follow\"",
        "maintenance.windows.d.checks: unknown check \"nope\""), e.problems());
  }
}

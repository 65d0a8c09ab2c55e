package io.vigil.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.MaintenanceWindow;
import io.vigil.model.Silence;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MaintenanceTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  /** Sunday 2026-12-06, 23:30 in Berlin (UTC+1). */
  private static final MaintenanceWindow SUNDAY_NIGHT = new MaintenanceWindow("backup", LocalTime.of(23, 30),
      Duration.ofHours(1), EnumSet.of(DayOfWeek.SUNDAY), BERLIN, Set.of("postgres"));

  @Test
  void aWindowCoversItsLocalTimeInItsZoneAndRunsPastMidnight() {
    assertFalse(SUNDAY_NIGHT.covers(Instant.parse("2026-12-06T22:29:59Z")), "23:29:59 Berlin: not yet");
    assertTrue(SUNDAY_NIGHT.covers(Instant.parse("2026-12-06T22:30:00Z")), "23:30 Berlin: it starts");
    assertTrue(SUNDAY_NIGHT.covers(Instant.parse("2026-12-06T23:15:00Z")), "Monday 00:15 Berlin: Sunday's window still runs");
    assertFalse(SUNDAY_NIGHT.covers(Instant.parse("2026-12-06T23:30:00Z")), "Monday 00:30 Berlin: it has ended");
    assertFalse(SUNDAY_NIGHT.covers(Instant.parse("2026-12-07T22:45:00Z")), "Monday 23:45: not a day it names");
    assertTrue(SUNDAY_NIGHT.covers(Instant.parse("2026-12-13T22:45:00Z")), "the next Sunday");
  }

  @Test
  void aWindowAndASilenceEachPutTheirChecksInMaintenanceAndAnExpiredSilenceIsForgotten() {
    Maintenance m = new Maintenance(List.of(SUNDAY_NIGHT), true);
    Instant inWindow = Instant.parse("2026-12-06T22:45:00Z");
    assertEquals(Set.of("postgres"), m.active(List.of("postgres", "redis", "api"), inWindow));
    Instant now = Instant.parse("2026-12-07T10:00:00Z");
    m.add(new Silence("s1", List.of("redis"), now, now.plus(Duration.ofMinutes(30)), "ana", "failover"));
    assertEquals(Set.of("redis"), m.active(List.of("postgres", "redis", "api"), now.plusSeconds(60)));
    assertEquals(1, m.silences(now).size());
    assertEquals(Set.of(), m.active(List.of("postgres", "redis", "api"), now.plus(Duration.ofMinutes(30))));
    assertEquals(List.of(), m.silences(now), "the expired silence is gone");
  }

  @Test
  void aSilenceWithoutChecksCoversEveryCheckUntilItIsRemoved() {
    Maintenance m = Maintenance.none();
    Instant now = Instant.parse("2026-12-07T10:00:00Z");
    m.add(new Silence("all", List.of(), now, now.plus(Duration.ofHours(1)), null, null));
    assertEquals(Set.of("a", "b"), m.active(List.of("a", "b"), now));
    assertTrue(m.remove("all"));
    assertFalse(m.remove("all"));
    assertEquals(Set.of(), m.active(List.of("a", "b"), now));
  }

  @Test
  void silencesAreListedSoonestToEndFirstAndReadinessFollowsAsConfigured() {
    Maintenance m = new Maintenance(List.of(), false);
    Instant now = Instant.parse("2026-12-07T10:00:00Z");
    m.add(new Silence("late", List.of(), now, now.plusSeconds(600), null, null));
    m.add(new Silence("soon", List.of(), now, now.plusSeconds(60), null, null));
    assertEquals(List.of("soon", "late"), m.silences(now).stream().map(Silence::id).toList());
    assertFalse(m.readinessFollows());
    assertTrue(Maintenance.none().readinessFollows());
  }

  @Test
  void theNumberOfSilencesIsBounded() {
    Maintenance m = Maintenance.none();
    Instant now = Instant.parse("2026-12-07T10:00:00Z");
    for (int i = 0; i < Maintenance.MAX_SILENCES; i++) {
      assertTrue(m.add(new Silence("s" + i, List.of(), now, now.plusSeconds(60), null, null)).isPresent());
    }
    assertTrue(m.add(new Silence("one-more", List.of(), now, now.plusSeconds(60), null, null)).isEmpty());
  }
}

package io.vigil.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.CheckOptions;
import io.vigil.model.CheckResult;
import io.vigil.model.CheckSpec;
import io.vigil.model.CheckState;
import io.vigil.model.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MaintenanceBoardTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-07T10:00:00Z"));

  @Test
  void aCheckInMaintenanceIsTrackedAndFlaggedAndReadinessFollowsItByDefault() {
    StatusBoard b = board(true);
    b.record(result("redis", true));
    long seq = b.snapshot().seq();
    assertTrue(b.maintenance(Set.of("redis")));
    assertTrue(b.snapshot().seq() > seq, "a new snapshot");
    assertTrue(b.snapshot().status("redis").maintenance());
    assertFalse(b.maintenance(Set.of("redis")), "no change, no new snapshot");
    for (int i = 0; i < 3; i++) {
      b.record(result("redis", false));
    }
    assertEquals(CheckState.DOWN, b.snapshot().status("redis").state(), "the state is still tracked");
    assertFalse(b.snapshot().ready(), "readiness follows a check in maintenance");
    b.maintenance(Set.of());
    assertFalse(b.snapshot().status("redis").maintenance());
  }

  @Test
  void withReadinessNotFollowingACheckInMaintenanceLeavesReadinessAlone() {
    StatusBoard b = board(false);
    b.record(result("redis", true));
    b.maintenance(Set.of("redis"));
    for (int i = 0; i < 3; i++) {
      b.record(result("redis", false));
    }
    assertEquals(CheckState.DOWN, b.snapshot().status("redis").state());
    assertTrue(b.snapshot().ready(), "readiness leaves redis out while in maintenance");
    b.maintenance(Set.of());
    assertFalse(b.snapshot().ready(), "and counts it again when maintenance ends");
  }

  private StatusBoard board(boolean follows) {
    return new StatusBoard(List.of(new CheckSpec("redis", "redis", CheckOptions.DEFAULTS)), null, clock, follows);
  }

  private CheckResult result(String check, boolean ok) {
    clock.advance(Duration.ofSeconds(1));
    return new CheckResult(check, "redis", ok, ok ? null : Reason.TIMEOUT, ok ? null : "timed out", Map.of(),
        Duration.ofMillis(2), clock.wall(), clock.nanos());
  }
}

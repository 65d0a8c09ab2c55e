package io.vigil.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vigil.bus.EventJson;
import io.vigil.model.CheckOptions;
import io.vigil.model.CheckResult;
import io.vigil.model.CheckSpec;
import io.vigil.model.CheckState;
import io.vigil.status.ManualClock;
import io.vigil.status.StatusBoard;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A replica ages from its owner's time, not from its arrival: a member thawed after a freeze reads
 * the replicas that waited in its socket buffers, and must not call them fresh (ClusterFreezeIT
 * found a thawed member calling 16 s old results UP with a max-age of 12 s).
 */
class ReplicaAgeTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-03T00:00:00Z"));
  private final StatusBoard board = new StatusBoard(List.of(new CheckSpec("t0", "http", CheckOptions.DEFAULTS)), null, clock);
  private final Duration maxAge = CheckOptions.DEFAULTS.effectiveMaxAge();

  /** The replica an owner sent {@code ago} before it arrives here, now. */
  private CheckResult arriving(Duration ago) {
    CheckResult owners = new CheckResult("t0", "http", true, null, null, Map.of(), Duration.ofMillis(2),
        clock.wall().minus(ago), 0);
    return EventJson.fromReplica(EventJson.replica(owners, "owner", 1), clock.nanos(), clock.wall());
  }

  @Test
  void aReplicaThatWaitedLongerThanMaxAgeIsStaleOnArrivalBeforeAnyTick() {
    board.record(arriving(maxAge.plusSeconds(4)));
    assertEquals(CheckState.UNKNOWN, board.snapshot().check("t0").orElseThrow().state());
  }

  @Test
  void aReplicaOlderThanTheLatestResultIsIgnored() {
    board.record(arriving(Duration.ofSeconds(1)));
    StatusBoard.Recorded late = board.record(arriving(Duration.ofSeconds(5)));
    assertNull(late.status(), "a result older than the check's latest is not recorded");
    assertEquals(clock.wall().minusSeconds(1), board.snapshot().check("t0").orElseThrow().lastResultAt());
    assertEquals(CheckState.UP, board.snapshot().check("t0").orElseThrow().state());
  }

  @Test
  void aPromptReplicaIsFreshUntilMaxAgeFromItsOwnersTime() {
    board.record(arriving(Duration.ofSeconds(2)));
    clock.advance(maxAge.minusSeconds(3));
    board.expire();
    assertEquals(CheckState.UP, board.snapshot().check("t0").orElseThrow().state(), "2 s + max-age - 3 s old");
    clock.advance(Duration.ofSeconds(2));
    board.expire();
    assertEquals(CheckState.UNKNOWN, board.snapshot().check("t0").orElseThrow().state(), "max-age + 1 s old");
  }

  @Test
  void aReplicaFromAClockAheadOfOursCountsAsJustMade() {
    board.record(arriving(Duration.ofSeconds(-30)));
    clock.advance(maxAge.minusSeconds(1));
    board.expire();
    assertEquals(CheckState.UP, board.snapshot().check("t0").orElseThrow().state());
  }
}

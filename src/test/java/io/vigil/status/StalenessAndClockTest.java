package io.vigil.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.CheckOptions;
import io.vigil.model.CheckResult;
import io.vigil.model.CheckSpec;
import io.vigil.model.CheckState;
import io.vigil.model.CheckStatus;
import io.vigil.model.DisplayState;
import io.vigil.model.OverallState;
import io.vigil.model.Reason;
import io.vigil.model.Snapshot;
import io.vigil.model.Transition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Staleness on the monotonic clock, and thresholds that outlive a stall (issue 8, Done-when 3). */
class StalenessAndClockTest {
  private static final Duration INTERVAL = Duration.ofSeconds(5);
  private static final Duration STALL = Duration.ofSeconds(20); // longer than max-age (3 x 5s)
  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-25T00:00:00Z"));

  private StatusBoard board(CheckOptions options) {
    return new StatusBoard(List.of(new CheckSpec("redis", "redis", options)), null, clock);
  }

  /** One probe one interval after the previous, on both clocks. */
  private CheckResult probe(boolean ok) {
    clock.advance(INTERVAL);
    return new CheckResult("redis", "redis", ok, ok ? null : Reason.TIMEOUT, ok ? null : "no answer within 2s",
        Map.of(), Duration.ofMillis(2), clock.wall(), clock.nanos());
  }

  private static CheckStatus redis(StatusBoard b) {
    return b.snapshot().check("redis").orElseThrow();
  }

  @Test
  void aWallClockJumpOfAnHourForwardAndBackChangesNoState() {
    StatusBoard b = board(CheckOptions.DEFAULTS);
    b.record(probe(true));
    b.record(probe(false)); // UP with one failure: DEGRADED, its counters must not move either
    Snapshot before = b.snapshot();
    for (Duration step : List.of(Duration.ofHours(1), Duration.ofHours(-1), Duration.ofHours(-1), Duration.ofHours(1))) {
      clock.stepWall(step);
      assertEquals(List.of(), b.expire(), "a wall-clock step of " + step + " made no transition");
      assertEquals(before.seq(), b.snapshot().seq(), "and no change at all");
      assertEquals(DisplayState.DEGRADED, redis(b).displayState());
      assertEquals(1, redis(b).consecutiveFailures());
      assertEquals(OverallState.UP, b.snapshot().overall());
      assertTrue(b.snapshot().ready());
    }
    clock.stepWall(Duration.ofHours(1));
    b.record(probe(true)); // a result stamped an hour ahead is as fresh as any
    clock.stepWall(Duration.ofHours(-2));
    assertEquals(List.of(), b.expire());
    assertEquals(CheckState.UP, redis(b).state());
  }

  @Test
  void expiryAnnouncesTheOverallChangeWithItsOwnSeqsAndARecoveryCountsFromTheStaleState() {
    StatusBoard b = board(CheckOptions.DEFAULTS.withThresholds(1, 1));
    b.record(probe(false)); // DOWN: the critical check takes the overall state down
    assertEquals(OverallState.DOWN, b.snapshot().overall());
    long before = b.snapshot().seq();
    clock.advance(STALL);
    List<Transition> t = b.expire();
    assertEquals(2, t.size(), "the check's transition and the overall one: " + t);
    assertEquals("redis", t.get(0).check());
    assertEquals(before + 1, t.get(0).seq(), "each transition takes the next seq");
    assertEquals(before + 2, t.get(1).seq());
    assertEquals(OverallState.UNKNOWN.name(), t.get(1).to(), "the overall state follows a critical UNKNOWN");
    assertEquals(before + 2, b.snapshot().seq(), "the snapshot carries the last seq");
    b.record(probe(true));
    assertEquals(OverallState.UP, b.snapshot().overall(), "nothing of the DOWN state is left counted");
    assertTrue(b.snapshot().ready());
  }

  @Test
  void aBoardWithoutChecksHasStartedFromTheBeginning() {
    assertTrue(new StatusBoard(List.of(), null, clock).snapshot().started(), "nothing to wait for");
    assertFalse(board(CheckOptions.DEFAULTS).snapshot().started(), "a check not yet reported holds startup back");
  }

  @Test
  void probeReasonIsTheLatestFailureOwnReasonAndNoneAfterASuccess() {
    StatusBoard b = board(CheckOptions.DEFAULTS);
    b.record(probe(false));
    assertEquals(Reason.TIMEOUT, redis(b).probeReason());
    b.record(probe(true));
    assertNull(redis(b).probeReason());
  }

  @Test
  void sinceIsWhenTheStateLastChangedNotTheLatestResult() {
    StatusBoard b = board(CheckOptions.DEFAULTS);
    CheckResult first = probe(true);
    b.record(first);
    b.record(probe(true));
    b.record(probe(false)); // still UP (threshold 3): no change of state
    assertEquals(first.at(), redis(b).since());
  }

  @Test
  void stalenessFollowsMonotonicTimeEvenWhenTheWallClockStandsStill() {
    StatusBoard b = board(CheckOptions.DEFAULTS);
    b.record(probe(true));
    clock.advance(STALL).stepWall(STALL.negated()); // 20 s passed; the wall clock was set back by as much
    List<Transition> t = b.expire();
    assertEquals(1, t.stream().filter(x -> x.check().equals("redis")).count(), "stale on monotonic time: " + t);
    assertEquals(CheckState.UNKNOWN, redis(b).state());
  }

  @Test
  void aStallLongerThanMaxAgeThenOneFailedProbeDoesNotTurnTheCheckDown() {
    StatusBoard b = board(CheckOptions.DEFAULTS.withThresholds(3, 1));
    b.record(probe(true));
    clock.advance(STALL);
    assertEquals("UNKNOWN", b.expire().get(0).to());
    StatusBoard.Recorded r = b.record(probe(false));
    assertEquals(CheckState.UP, redis(b).state(), "one failure of three required, as if there had been no stall");
    assertEquals(DisplayState.DEGRADED, redis(b).displayState());
    assertEquals(Reason.TIMEOUT, redis(b).reason());
    assertEquals("UP", r.transitions().get(0).to(), "UNKNOWN back to the verdict it had");
    b.record(probe(false));
    assertEquals(CheckState.UP, redis(b).state());
    b.record(probe(false));
    assertEquals(CheckState.DOWN, redis(b).state(), "the third consecutive failure turns it DOWN");
  }

  @Test
  void theCountersAStaleCheckHadStillCount() {
    StatusBoard b = board(CheckOptions.DEFAULTS.withThresholds(3, 1));
    b.record(probe(true));
    b.record(probe(false));
    b.record(probe(false));
    clock.advance(STALL);
    b.expire();
    assertEquals(CheckState.UNKNOWN, redis(b).state());
    assertEquals(2, redis(b).consecutiveFailures(), "kept while stale");
    b.record(probe(false));
    assertEquals(CheckState.DOWN, redis(b).state(), "2 before the stall + 1 after = the threshold");
  }

  @Test
  void aStaleDownCheckNeedsTheSuccessThresholdToComeBackUp() {
    StatusBoard b = board(CheckOptions.DEFAULTS.withThresholds(1, 2));
    b.record(probe(false));
    assertEquals(CheckState.DOWN, redis(b).state());
    clock.advance(STALL);
    b.expire();
    b.record(probe(true));
    assertEquals(CheckState.DOWN, redis(b).state(), "one success of two required: a stall is not a recovery");
    b.record(probe(true));
    assertEquals(CheckState.UP, redis(b).state());
  }

  @Test
  void theFirstResultEverStillDecidesWhateverTheThreshold() {
    StatusBoard b = board(CheckOptions.DEFAULTS.withThresholds(5, 5));
    b.record(probe(false));
    assertEquals(CheckState.DOWN, redis(b).state(), "no earlier good state to protect");
  }

  @Test
  void aStaleCheckShowsNoReasonButSaysWhyItIsUnknown() {
    StatusBoard b = board(CheckOptions.DEFAULTS);
    b.record(probe(false));
    clock.advance(STALL);
    Transition t = b.expire().get(0);
    assertNull(t.reason());
    assertNull(redis(b).reason(), "no probe failed: its results are late");
    assertNull(redis(b).cause());
    assertEquals("no result for longer than max-age (15s)", redis(b).message());
    assertFalse(b.snapshot().ready());
  }

  @Test
  void aCheckAddedAtRunTimeBumpsSeqAndItsOverallTransitionIsPublishedButStartupStaysPassed() {
    StatusBoard b = board(CheckOptions.DEFAULTS);
    b.record(probe(true));
    assertTrue(b.snapshot().started());
    long seq = b.snapshot().seq();
    List<Transition> t = b.add(new CheckSpec("queue", "custom", CheckOptions.DEFAULTS));
    assertTrue(b.snapshot().seq() > seq, "the snapshot changed: its seq moves");
    assertEquals(1, t.size(), "overall UP -> UNKNOWN until the new critical check reports: " + t);
    assertEquals(Transition.OVERALL, t.get(0).check());
    assertEquals("UNKNOWN", t.get(0).to());
    assertTrue(t.get(0).seq() > seq);
    assertTrue(b.snapshot().started(), "startup, once passed, stays passed");
    assertFalse(b.snapshot().ready(), "a critical check with no result yet is not UP");
    StatusBoard.Recorded r = b.record(new CheckResult("queue", "custom", true, null, null, Map.of(),
        Duration.ofMillis(1), clock.wall(), clock.nanos()));
    assertEquals(List.of("queue", Transition.OVERALL), r.transitions().stream().map(Transition::check).toList());
    assertEquals(OverallState.UP, b.snapshot().overall());
    assertTrue(b.snapshot().ready());
  }

  @Test
  void addingACheckMovesSeqEvenWhenNothingElseChanges() {
    StatusBoard b = board(CheckOptions.DEFAULTS.withCritical(false));
    b.record(probe(false)); // the only check, non-critical and DOWN: DEGRADED
    assertEquals(OverallState.DEGRADED, b.snapshot().overall());
    long seq = b.snapshot().seq();
    List<Transition> t = b.add(new CheckSpec("batch", "custom", CheckOptions.DEFAULTS.withCritical(false)));
    assertEquals(List.of(), t, "still DEGRADED: no transition");
    assertEquals(seq + 1, b.snapshot().seq(), "the snapshot has one more check: bodies rendered per seq must change");
    assertEquals(2, b.snapshot().checks().size());
  }
}

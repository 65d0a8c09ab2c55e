package io.vigil.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.vigil.model.CheckOptions;
import io.vigil.model.CheckResult;
import io.vigil.model.CheckSpec;
import io.vigil.model.CheckState;
import io.vigil.model.CheckStatus;
import io.vigil.model.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The board's threshold and time rules, for any sequence of probes, stalls and wall-clock steps. */
class StatusRulesPropertyTest {
  private static final Duration INTERVAL = Duration.ofSeconds(5);
  private static final Duration STALL = Duration.ofSeconds(20); // past max-age, 3 x 5s

  /** What happens next to the check: a good probe, a failed one, or no result for longer than max-age. */
  enum Step { OK, FAIL, STALL }

  /** One board with one check, driven step by step. */
  private static final class Run {
    final ManualClock clock = new ManualClock(Instant.parse("2026-11-25T00:00:00Z"));
    final StatusBoard board;

    Run(int failures, int successes) {
      board = new StatusBoard(List.of(new CheckSpec("c", "tcp",
          CheckOptions.DEFAULTS.withInterval(INTERVAL).withThresholds(failures, successes))), null, clock);
    }

    void stall() {
      clock.advance(STALL);
      board.expire();
    }

    void probe(boolean ok) {
      clock.advance(INTERVAL);
      board.record(new CheckResult("c", "tcp", ok, ok ? null : Reason.TIMEOUT, ok ? null : "slow", Map.of(),
          Duration.ofMillis(1), clock.wall(), clock.nanos()));
    }

    CheckStatus status() {
      return board.snapshot().check("c").orElseThrow();
    }
  }

  @Property(tries = 300)
  void aCheckTurnsDownExactlyAfterFailureThresholdConsecutiveFailuresAndUpAfterSuccessThreshold(
      @ForAll @Size(max = 60) List<Step> steps,
      @ForAll @IntRange(min = 1, max = 5) int failureThreshold,
      @ForAll @IntRange(min = 1, max = 5) int successThreshold) {
    Run run = new Run(failureThreshold, successThreshold);
    List<Boolean> results = new ArrayList<>();
    CheckState verdict = null; // the state before the latest result, staleness aside
    for (Step step : steps) {
      if (step == Step.STALL) {
        run.stall();
        continue;
      }
      boolean ok = step == Step.OK;
      run.probe(ok);
      results.add(ok);
      CheckState now = run.status().state();
      assertNotEquals(CheckState.UNKNOWN, now, "a fresh result always gives a verdict");
      if (verdict == null) {
        assertEquals(ok ? CheckState.UP : CheckState.DOWN, now, "the first result ever decides");
      } else if (verdict == CheckState.UP) {
        assertEquals(trailing(results, false) >= failureThreshold, now == CheckState.DOWN,
            "UP turns DOWN exactly at " + failureThreshold + " consecutive failures, stalls ignored: " + steps);
      } else {
        assertEquals(trailing(results, true) >= successThreshold, now == CheckState.UP,
            "DOWN turns UP exactly at " + successThreshold + " consecutive successes, stalls ignored: " + steps);
      }
      verdict = now;
    }
  }

  @Property(tries = 300)
  void stallsHideAVerdictButNeverChangeOne(@ForAll @Size(max = 60) List<Step> steps,
      @ForAll @IntRange(min = 1, max = 5) int failureThreshold, @ForAll @IntRange(min = 1, max = 5) int successThreshold) {
    Run withStalls = new Run(failureThreshold, successThreshold);
    Run without = new Run(failureThreshold, successThreshold);
    for (Step step : steps) {
      if (step == Step.STALL) {
        withStalls.stall();
        assertEquals(withStalls.board.snapshot().checks().get(0).consecutiveFailures(),
            without.status().consecutiveFailures(), "a stall keeps the counters");
        continue;
      }
      withStalls.probe(step == Step.OK);
      without.probe(step == Step.OK);
      assertEquals(without.status().state(), withStalls.status().state(), "same verdict with or without stalls: " + steps);
      assertEquals(without.status().reason(), withStalls.status().reason());
    }
  }

  @Property(tries = 300)
  void wallClockStepsChangeNoState(@ForAll @Size(max = 60) List<Step> steps,
      @ForAll @Size(min = 1, max = 10) List<@IntRange(min = -7200, max = 7200) Integer> wallStepsSeconds) {
    Run stepped = new Run(3, 1);
    Run steady = new Run(3, 1);
    for (int i = 0; i < steps.size(); i++) {
      stepped.clock.stepWall(Duration.ofSeconds(wallStepsSeconds.get(i % wallStepsSeconds.size())));
      Step step = steps.get(i);
      if (step == Step.STALL) {
        stepped.stall();
        steady.stall();
      } else {
        stepped.probe(step == Step.OK);
        steady.probe(step == Step.OK);
      }
      stepped.board.expire();
      steady.board.expire();
      assertEquals(steady.status().state(), stepped.status().state(), "wall steps " + wallStepsSeconds + ", " + steps);
      assertEquals(steady.status().consecutiveFailures(), stepped.status().consecutiveFailures());
      assertEquals(steady.board.snapshot().seq(), stepped.board.snapshot().seq(), "the same changes, no more");
    }
  }

  private static int trailing(List<Boolean> results, boolean value) {
    int n = 0;
    for (int i = results.size() - 1; i >= 0 && results.get(i) == value; i--) {
      n++;
    }
    return n;
  }
}

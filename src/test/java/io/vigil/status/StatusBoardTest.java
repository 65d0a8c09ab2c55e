package io.vigil.status;

import io.vigil.model.Reason;
import io.vigil.model.CheckState;
import io.vigil.model.OverallState;
import io.vigil.model.CheckResult;
import io.vigil.model.CheckStatus;
import io.vigil.model.Transition;
import io.vigil.model.CheckSpec;
import io.vigil.model.DisplayState;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.CheckOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusBoardTest {
  private static final Instant T0 = Instant.parse("2026-11-25T00:00:00Z");
  private final ManualClock clock = new ManualClock(T0);

  private static CheckSpec spec(String name, boolean critical, String... deps) {
    return new CheckSpec(name, "tcp", CheckOptions.DEFAULTS.withCritical(critical).withDependsOn(List.of(deps)));
  }

  private CheckResult ok(String check) {
    clock.advance(Duration.ofSeconds(1));
    return new CheckResult(check, "tcp", true, null, null, Map.of(), Duration.ofMillis(3), clock.wall(), clock.nanos());
  }

  private CheckResult fail(String check, Reason reason) {
    clock.advance(Duration.ofSeconds(1));
    return new CheckResult(check, "tcp", false, reason, reason.label() + " happened", Map.of(), Duration.ofMillis(3),
        clock.wall(), clock.nanos());
  }

  private StatusBoard board(List<CheckSpec> specs, List<String> readiness) {
    return new StatusBoard(specs, readiness, clock);
  }

  private static CheckState state(StatusBoard b, String name) {
    return b.snapshot().check(name).orElseThrow().state();
  }

  @Test
  void recordingABatchTellsWhatRecordingItOneByOneTellsWithOneSnapshot() {
    List<CheckSpec> specs = List.of(spec("redis", true), spec("api", true, "redis"), spec("cache", false));
    List<CheckResult> results = new ArrayList<>();
    for (int round = 0; round < 4; round++) {
      results.add(round < 2 ? ok("redis") : fail("redis", Reason.CONNECTION_REFUSED));
      results.add(round == 0 ? ok("api") : fail("api", Reason.HTTP_STATUS));
      results.add(round % 2 == 0 ? ok("cache") : fail("cache", Reason.TIMEOUT));
    }
    StatusBoard oneByOne = board(specs, null);
    List<StatusBoard.Recorded> expected = new ArrayList<>();
    results.forEach(r -> expected.add(oneByOne.record(r)));
    StatusBoard batched = board(specs, null);
    long before = batched.snapshot().seq();
    Object snapshotBefore = batched.snapshot();
    assertEquals(expected, batched.recordAll(results));
    assertEquals(oneByOne.snapshot().checks(), batched.snapshot().checks());
    assertEquals(oneByOne.snapshot().overall(), batched.snapshot().overall());
    assertTrue(batched.snapshot() != snapshotBefore && batched.snapshot().seq() > before);
  }

  @Test
  void aSeqWitnessedFromAnotherBoardIsExceededByEverySeqGivenAfter() {
    StatusBoard b = board(List.of(spec("redis", true)), null);
    long own = b.record(ok("redis")).seq();
    b.witness(own + 1000);
    StatusBoard.Recorded next = b.record(fail("redis", Reason.TIMEOUT));
    assertTrue(next.seq() > own + 1000, "seq " + next.seq() + " after witnessing " + (own + 1000));
    b.witness(1); // an older seq never moves the clock back
    assertTrue(b.record(ok("redis")).seq() > next.seq());
  }

  @Test
  void checkTurnsDownAfterThreeConsecutiveFailuresAndNotBefore() {
    StatusBoard b = board(List.of(spec("redis", true)), null);
    b.record(ok("redis"));
    b.record(fail("redis", Reason.TIMEOUT));
    b.record(fail("redis", Reason.TIMEOUT));
    assertEquals(CheckState.UP, state(b, "redis"));
    assertEquals(DisplayState.DEGRADED, b.snapshot().check("redis").orElseThrow().displayState());
    assertTrue(b.snapshot().ready(), "two failures must not flip readiness");
    StatusBoard.Recorded third = b.record(fail("redis", Reason.TIMEOUT));
    assertEquals(CheckState.DOWN, state(b, "redis"));
    assertEquals("UP", third.transitions().get(0).from());
    assertEquals("DOWN", third.transitions().get(0).to());
    assertEquals(Reason.TIMEOUT, third.transitions().get(0).reason());
    assertFalse(b.snapshot().ready());
  }

  @Test
  void checkReturnsUpAfterSuccessThresholdGoodProbes() {
    CheckSpec s = new CheckSpec("pg", "postgres", CheckOptions.DEFAULTS.withThresholds(1, 2));
    StatusBoard b = board(List.of(s), null);
    b.record(fail("pg", Reason.CONNECTION_REFUSED));
    assertEquals(CheckState.DOWN, state(b, "pg"));
    b.record(ok("pg"));
    assertEquals(CheckState.DOWN, state(b, "pg"), "one success of two required");
    b.record(ok("pg"));
    assertEquals(CheckState.UP, state(b, "pg"));
    assertNull(b.snapshot().check("pg").orElseThrow().reason(), "an UP check with no failing probe shows no reason");
  }

  @Test
  void firstResultDecidesTheStateOfAnUnknownCheck() {
    StatusBoard b = board(List.of(spec("a", true), spec("b", true)), null);
    b.record(fail("a", Reason.DNS));
    b.record(ok("b"));
    assertEquals(CheckState.DOWN, state(b, "a"));
    assertEquals(CheckState.UP, state(b, "b"));
  }

  @Test
  void overallIsUnknownUntilEveryCheckHasReported() {
    StatusBoard b = board(List.of(spec("a", true), spec("b", false)), null);
    assertEquals(OverallState.UNKNOWN, b.snapshot().overall());
    b.record(ok("a"));
    assertEquals(OverallState.UNKNOWN, b.snapshot().overall());
    assertFalse(b.snapshot().started());
    assertFalse(b.snapshot().ready());
    StatusBoard.Recorded r = b.record(ok("b"));
    assertEquals(OverallState.UP, b.snapshot().overall());
    assertTrue(b.snapshot().started());
    Transition overall = r.transitions().get(r.transitions().size() - 1);
    assertEquals(Transition.OVERALL, overall.check());
    assertEquals("UNKNOWN", overall.from());
    assertEquals("UP", overall.to());
  }

  @Test
  void nonCriticalDownGivesDegradedAndKeepsReadiness() {
    StatusBoard b = board(List.of(spec("api", true), spec("worker", false)), null);
    b.record(ok("api"));
    b.record(fail("worker", Reason.HTTP_STATUS));
    assertEquals(OverallState.DEGRADED, b.snapshot().overall());
    assertTrue(b.snapshot().overall().healthy());
    assertTrue(b.snapshot().ready(), "readiness follows critical checks by default");
  }

  @Test
  void criticalDownGivesDownOverall() {
    StatusBoard b = board(List.of(spec("api", true), spec("worker", false)), null);
    b.record(fail("api", Reason.TIMEOUT));
    b.record(fail("worker", Reason.TIMEOUT));
    assertEquals(OverallState.DOWN, b.snapshot().overall());
    assertFalse(b.snapshot().overall().healthy());
  }

  @Test
  void overallTransitionToDownNamesTheDownCriticalCheckAndItsReason() {
    CheckOptions once = CheckOptions.DEFAULTS.withThresholds(1, 1);
    StatusBoard b = new StatusBoard(List.of(new CheckSpec("api", "http", once.withDependsOn(List.of("redis"))),
        new CheckSpec("redis", "redis", once)), null, clock);
    b.record(ok("api"));
    b.record(ok("redis"));
    List<Transition> t = b.record(fail("redis", Reason.CONNECTION_REFUSED)).transitions();
    Transition overall = t.stream().filter(x -> x.check().equals(Transition.OVERALL)).findFirst().orElseThrow();
    assertEquals("DOWN", overall.to());
    assertEquals(Reason.CONNECTION_REFUSED, overall.reason(), "the reason of the critical check that is DOWN");
    assertEquals("redis", overall.cause(), "a root names itself; the UP api before it is skipped");
  }

  @Test
  void failingCheckNamesItsDownDependencyAsCause() {
    StatusBoard b = board(List.of(spec("redis", true), spec("api", true, "redis")), null);
    b.record(fail("redis", Reason.CONNECTION_REFUSED));
    b.record(fail("api", Reason.HTTP_STATUS));
    CheckStatus api = b.snapshot().check("api").orElseThrow();
    assertEquals("redis", api.cause());
    assertEquals(Reason.DEPENDENCY, api.reason());
    assertTrue(api.message().contains("redis is DOWN (connection_refused)"), api.message());
    assertNull(b.snapshot().check("redis").orElseThrow().cause(), "the root itself has no cause");
  }

  @Test
  void causeFollowsDependenciesTwoLevelsDownToTheRoot() {
    StatusBoard b = board(
        List.of(spec("postgres", true), spec("worker", true, "postgres"), spec("api", true, "worker")), null);
    b.record(fail("postgres", Reason.AUTH));
    b.record(fail("worker", Reason.HTTP_STATUS));
    b.record(fail("api", Reason.HTTP_STATUS));
    assertEquals("postgres", b.snapshot().check("api").orElseThrow().cause());
    assertEquals("postgres", b.snapshot().check("worker").orElseThrow().cause());
  }

  @Test
  void aDependentsCauseFollowsChangesBelowItAfterItIsAlreadyDown() {
    CheckOptions once = CheckOptions.DEFAULTS.withThresholds(1, 1);
    StatusBoard b = board(List.of(new CheckSpec("net", "tcp", once),
        new CheckSpec("redis", "redis", once.withDependsOn(List.of("net"))),
        new CheckSpec("api", "http", once.withDependsOn(List.of("redis")))), null);
    b.record(ok("net"));
    b.record(ok("redis"));
    b.record(fail("api", Reason.TIMEOUT));
    assertNull(b.snapshot().check("api").orElseThrow().cause(), "its dependencies are up: its own fault");
    b.record(fail("redis", Reason.TIMEOUT));
    assertEquals("redis", b.snapshot().check("api").orElseThrow().cause(), "api did not report, yet its cause moved");
    b.record(fail("net", Reason.TIMEOUT));
    assertEquals("net", b.snapshot().check("redis").orElseThrow().cause());
    assertEquals("net", b.snapshot().check("api").orElseThrow().cause(), "two levels up from the change");
    b.record(fail("net", Reason.CONNECTION_REFUSED));
    assertTrue(b.snapshot().check("api").orElseThrow().message().startsWith("net is DOWN (connection_refused)"),
        "the root's latest reason reaches the dependents: " + b.snapshot().check("api").orElseThrow().message());
    b.record(ok("net"));
    assertEquals("redis", b.snapshot().check("api").orElseThrow().cause(), "net healed; redis is still down");
    assertNull(b.snapshot().check("redis").orElseThrow().cause());
  }

  @Test
  void thousandsOfChecksKeepOverallReadinessAndLookupsExact() {
    List<CheckSpec> specs = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      specs.add(spec("c" + i, i % 2 == 0));
    }
    StatusBoard b = board(specs, null);
    for (int i = 0; i < 5000; i++) {
      b.record(ok("c" + i));
    }
    assertEquals(OverallState.UP, b.snapshot().overall());
    assertTrue(b.snapshot().ready());
    b.record(fail("c4999", Reason.DNS)); // odd: non-critical, first failure below the threshold
    assertEquals(1, b.snapshot().check("c4999").orElseThrow().consecutiveFailures());
    assertEquals("c4999", b.snapshot().checks().get(4999).name());
    assertEquals(CheckState.UP, state(b, "c0"));
    assertTrue(b.snapshot().check("nope").isEmpty());
  }

  @Test
  void failingCheckWithHealthyDependenciesHasNoCause() {
    StatusBoard b = board(List.of(spec("redis", true), spec("api", true, "redis")), null);
    b.record(ok("redis"));
    b.record(fail("api", Reason.ASSERTION));
    CheckStatus api = b.snapshot().check("api").orElseThrow();
    assertNull(api.cause());
    assertEquals(Reason.ASSERTION, api.reason());
  }

  @Test
  void staleResultTurnsUnknown() {
    StatusBoard b = board(List.of(spec("redis", true)), null);
    b.record(ok("redis"));
    clock.advance(Duration.ofSeconds(15));
    assertTrue(b.expire().isEmpty(), "exactly max-age (3 x 5s) is not yet stale");
    clock.advance(Duration.ofSeconds(1));
    List<Transition> t = b.expire();
    assertEquals(CheckState.UNKNOWN, state(b, "redis"));
    assertEquals("UNKNOWN", t.get(0).to());
    assertEquals(OverallState.UNKNOWN, b.snapshot().overall());
    assertFalse(b.snapshot().ready());
  }

  @Test
  void drainingMakesTheMonitorUnreadyWhateverTheChecksSay() {
    StatusBoard b = board(List.of(spec("redis", true)), null);
    b.record(ok("redis"));
    assertTrue(b.snapshot().ready());
    b.drain();
    assertFalse(b.snapshot().ready());
    assertTrue(b.snapshot().draining());
    assertEquals(OverallState.UP, b.snapshot().overall());
  }

  @Test
  void emptyReadinessGroupMakesReadinessAboutTheMonitorAlone() {
    StatusBoard b = board(List.of(spec("redis", true)), List.of());
    b.record(fail("redis", Reason.TIMEOUT));
    assertTrue(b.snapshot().ready());
  }

  @Test
  void namedReadinessGroupIgnoresChecksOutsideIt() {
    StatusBoard b = board(List.of(spec("redis", true), spec("pg", true)), List.of("redis"));
    b.record(ok("redis"));
    b.record(fail("pg", Reason.TIMEOUT));
    assertTrue(b.snapshot().ready());
    for (int i = 0; i < 3; i++) {
      b.record(fail("redis", Reason.TIMEOUT));
    }
    assertFalse(b.snapshot().ready());
  }

  @Test
  void sequenceNumbersIncreaseAcrossResultsAndTransitions() {
    StatusBoard b = board(List.of(spec("redis", true)), null);
    List<Long> seqs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      StatusBoard.Recorded r = b.record(i % 2 == 0 ? ok("redis") : fail("redis", Reason.TIMEOUT));
      seqs.add(r.seq());
      r.transitions().forEach(t -> seqs.add(t.seq()));
    }
    for (int i = 1; i < seqs.size(); i++) {
      assertTrue(seqs.get(i) > seqs.get(i - 1), "seq must increase: " + seqs);
    }
    assertEquals(seqs.get(seqs.size() - 1), b.snapshot().seq());
  }

  @Test
  void addingACheckAtRunTimeRejectsDuplicatesAndUnknownDependencies() {
    StatusBoard b = board(List.of(spec("redis", true)), null);
    assertThrows(IllegalArgumentException.class, () -> b.add(spec("redis", true)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.add(spec("api", true, "nope")));
    assertEquals("check \"api\" depends on unknown check \"nope\"", e.getMessage());
    b.add(spec("api", true, "redis"));
    assertEquals(2, b.snapshot().checks().size());
  }
}

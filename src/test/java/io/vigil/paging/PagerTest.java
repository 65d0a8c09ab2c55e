package io.vigil.paging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.CheckState;
import io.vigil.model.CheckStatus;
import io.vigil.model.OverallState;
import io.vigil.model.Reason;
import io.vigil.model.Severity;
import io.vigil.model.Snapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PagerTest {
  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
  private static final PagingRules ALL = new PagingRules(null, Severity.WARNING, Duration.ofSeconds(10),
      Duration.ofHours(4), true);
  private long seq;

  @Test
  void aRootIsPagedOnceItsGroupWaitHasPassedWithTheChecksItTookDown() {
    Pager pager = new Pager(ALL);
    Snapshot outage = snapshot(down("worker", "redis"), down("redis", null), down("api", "redis"), up("pg"));
    assertEquals(List.of(), pager.evaluate(outage, secs(0), T0), "nothing before the group wait");
    assertTrue(!pager.firing("redis"), "not paged yet");
    assertEquals(List.of(), pager.evaluate(outage, secs(9), T0), "nothing before the group wait");
    List<Page> pages = pager.evaluate(outage, secs(10), T0);
    assertEquals(1, pages.size(), "one page for the outage: " + pages);
    Page p = pages.get(0);
    assertEquals("redis", p.name());
    assertEquals(Page.Kind.FIRING, p.kind());
    assertEquals(List.of("api", "worker"), p.affected(), "sorted by name");
    assertEquals(Severity.CRITICAL, p.severity());
    assertTrue(pager.firing("redis"));
    assertEquals(List.of(), pager.evaluate(outage, secs(11), T0), "paged once, not on every evaluation");
  }

  @Test
  void aDependentThatFailedBeforeItsRootIsFoldedOnceItTurnsDependent() {
    Pager pager = new Pager(ALL);
    pager.evaluate(snapshot(down("api", null), up("redis")), secs(0), T0); // api first, a root for now
    Snapshot later = snapshot(down("api", "redis"), down("redis", null));
    pager.evaluate(later, secs(1), T0);
    List<Page> pages = pager.evaluate(later, secs(11), T0);
    assertEquals(List.of("redis"), pages.stream().map(Page::name).toList(), "only redis is paged");
    assertEquals(List.of("api"), pages.get(0).affected());
  }

  @Test
  void theResolveNamesTheDependentsThatRecovered() {
    Pager pager = new Pager(ALL);
    Snapshot outage = snapshot(down("redis", null), down("api", "redis"), down("worker", "redis"));
    pager.evaluate(outage, secs(0), T0);
    pager.evaluate(outage, secs(10), T0);
    Snapshot recovering = snapshot(up("redis"), up("api"), down("worker", null));
    assertEquals(List.of(), pager.evaluate(recovering, secs(20), T0), "the resolve waits for worker");
    List<Page> pages = pager.evaluate(recovering, secs(30), T0);
    Page resolved = pages.stream().filter(p -> p.kind() == Page.Kind.RESOLVED).findFirst().orElseThrow();
    assertEquals("redis", resolved.name());
    assertEquals(List.of("api"), resolved.recovered());
    assertEquals(List.of("api", "worker"), resolved.affected());
    assertEquals(T0, resolved.startsAt(), "since the root's state began");
    assertTrue(!pager.firing("redis"), "resolved: no longer firing");
    assertEquals(List.of(), pager.evaluate(recovering, secs(31), T0).stream()
        .filter(p -> p.kind() == Page.Kind.RESOLVED).toList(), "resolved once, not on every evaluation");
    assertEquals(List.of("worker"), pages.stream().filter(p -> p.kind() == Page.Kind.FIRING).map(Page::name).toList(),
        "worker, DOWN on its own now, is a root of its own after its group wait");
  }

  @Test
  void theResolveGoesOutAtOnceWhenEveryDependentIsUpAndAFlapContinuesTheEpisode() {
    Pager pager = new Pager(ALL);
    Snapshot outage = snapshot(down("redis", null), down("api", "redis"));
    pager.evaluate(outage, secs(0), T0);
    pager.evaluate(outage, secs(10), T0);
    assertEquals(List.of(), pager.evaluate(snapshot(up("redis"), down("api", "redis")), secs(11), T0));
    assertEquals(List.of(), pager.evaluate(outage, secs(12), T0), "down again: no second page");
    List<Page> pages = pager.evaluate(snapshot(up("redis"), up("api")), secs(13), T0);
    assertEquals(List.of(Page.Kind.RESOLVED), pages.stream().map(Page::kind).toList());
    assertEquals(List.of("api"), pages.get(0).recovered());
  }

  @Test
  void aRootThatRecoversWithinItsGroupWaitPagesNothing() {
    Pager pager = new Pager(ALL);
    pager.evaluate(snapshot(down("redis", null)), secs(0), T0);
    assertEquals(List.of(), pager.evaluate(snapshot(up("redis")), secs(5), T0));
    assertEquals(List.of(), pager.evaluate(snapshot(up("redis")), secs(30), T0));
  }

  @Test
  void aFiringRootIsPagedAgainEveryRepeatInterval() {
    Pager pager = new Pager(new PagingRules(null, Severity.WARNING, Duration.ZERO, Duration.ofMinutes(1), true));
    Snapshot outage = snapshot(down("redis", null));
    assertEquals(1, pager.evaluate(outage, secs(5), T0).size());
    assertEquals(0, pager.evaluate(outage, secs(64), T0).size());
    List<Page> again = pager.evaluate(outage, secs(65), T0);
    assertEquals(1, again.size());
    assertTrue(again.get(0).repeat());
  }

  @Test
  void withoutSendResolvedARecoveryPagesNothing() {
    Pager pager = new Pager(new PagingRules(null, Severity.WARNING, Duration.ZERO, Duration.ofHours(1), false));
    pager.evaluate(snapshot(down("redis", null)), secs(0), T0);
    assertEquals(List.of(), pager.evaluate(snapshot(up("redis")), secs(1), T0));
  }

  @Test
  void aStaleRootNeitherRepeatsAsNewNorResolves() {
    Pager pager = new Pager(new PagingRules(null, Severity.WARNING, Duration.ZERO, Duration.ofHours(1), true));
    pager.evaluate(snapshot(down("redis", null)), secs(0), T0);
    assertEquals(List.of(), pager.evaluate(snapshot(status("redis", CheckState.UNKNOWN, null, true)), secs(5), T0));
    assertTrue(pager.firing("redis"));
    assertEquals(List.of(), pager.evaluate(snapshot(down("redis", null)), secs(6), T0), "still the same episode");
  }

  @Test
  void aNotifierForSomeChecksIsPagedForItsOwnDependentWhenTheRootIsNotItsOwn() {
    Pager pager = new Pager(new PagingRules(Set.of("api"), Severity.WARNING, Duration.ZERO, Duration.ofHours(1), true));
    List<Page> pages = pager.evaluate(snapshot(down("redis", null), down("api", "redis")), secs(0), T0);
    assertEquals(List.of("api"), pages.stream().map(Page::name).toList());
    assertEquals("redis", pages.get(0).check().cause());
  }

  @Test
  void aMinimumSeverityOfCriticalIgnoresTheOtherChecks() {
    Pager pager = new Pager(new PagingRules(null, Severity.CRITICAL, Duration.ZERO, Duration.ofHours(1), true));
    List<Page> pages = pager.evaluate(snapshot(status("cache", CheckState.DOWN, null, false), down("db", null)),
        secs(0), T0);
    assertEquals(List.of("db"), pages.stream().map(Page::name).toList());
  }

  @Test
  void aHeldRootIsPagedForNothingAndPagedWhenTheHoldEndsIfStillDown() {
    Pager pager = new Pager(new PagingRules(null, Severity.WARNING, Duration.ZERO, Duration.ofHours(1), true));
    Snapshot held = snapshot(inMaintenance(down("redis", null)), down("api", "redis"));
    assertEquals(List.of(), pager.evaluate(held, secs(0), T0));
    assertEquals(List.of(), pager.evaluate(held, secs(1), T0));
    List<Page> after = pager.evaluate(snapshot(down("redis", null), down("api", "redis")), secs(2), T0);
    assertEquals(List.of("redis"), after.stream().map(Page::name).toList());
    assertEquals(List.of(), pager.evaluate(snapshot(inMaintenance(up("redis")), up("api")), secs(3), T0),
        "a resolve inside a hold is held too");
  }

  private static CheckStatus inMaintenance(CheckStatus c) {
    return new CheckStatus(c.name(), c.type(), c.critical(), c.state(), c.reason(), c.message(), c.cause(), c.latencyMs(),
        c.since(), c.lastSuccess(), c.lastResultAt(), c.consecutiveFailures(), c.consecutiveSuccesses(), c.dependsOn(),
        c.data(), c.probeReason(), true);
  }

  private static long secs(long s) {
    return TimeUnit.SECONDS.toNanos(s);
  }

  private static CheckStatus down(String name, String cause) {
    return status(name, CheckState.DOWN, cause, true);
  }

  private static CheckStatus up(String name) {
    return status(name, CheckState.UP, null, true);
  }

  private static CheckStatus status(String name, CheckState state, String cause, boolean critical) {
    Reason reason = state == CheckState.DOWN ? (cause == null ? Reason.CONNECTION_REFUSED : Reason.DEPENDENCY) : null;
    return new CheckStatus(name, "tcp", critical, state, reason, null, cause, 1.0, T0, null, T0,
        state == CheckState.DOWN ? 3 : 0, 0, cause == null ? List.of() : List.of(cause), Map.of());
  }

  private Snapshot snapshot(CheckStatus... checks) {
    return new Snapshot(++seq, T0, OverallState.UP, true, false, true, new ArrayList<>(List.of(checks)), null);
  }
}

package io.vigil.status;

import io.vigil.model.CheckResult;
import io.vigil.model.CheckSpec;
import io.vigil.model.CheckState;
import io.vigil.model.CheckStatus;
import io.vigil.model.Clock;
import io.vigil.model.OverallState;
import io.vigil.model.Reason;
import io.vigil.model.SharedChunks;
import io.vigil.model.Snapshot;
import io.vigil.model.Transition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Judges raw probe results: thresholds, staleness, root causes through {@code depends-on}, the
 * overall state and readiness. Plain Java, no Vert.x: confine each board to one thread (the monitor
 * runs it on one Vert.x context); others read {@link #snapshot()}, an immutable value swapped in on
 * every change, so readers take no lock.
 *
 * <p>Rules: a check's first result ever decides its state (there is no earlier good state to
 * protect); from then on it turns DOWN after {@code failure-threshold} consecutive failures and UP
 * after {@code success-threshold} consecutive successes. A result older than {@code max-age} makes
 * it UNKNOWN; staleness hides the verdict but keeps it and its counters, so the results after a
 * stall are judged with the thresholds as if there had been no gap. Ages are measured on the
 * monotonic clock only ({@link CheckResult#atNanos()} against {@link Clock#nanos()}); the wall clock
 * only stamps what people read, so a wall-clock step changes no state. Overall: UNKNOWN until every
 * check has reported once; DOWN when a critical check is DOWN; UNKNOWN when a critical check is
 * UNKNOWN; DEGRADED when only non-critical checks are not UP. Startup, once passed, stays passed
 * (a board with no check yet waits for its first ones).
 *
 * <p>Cost per result is independent of the number of checks (the status list is copied by chunks,
 * {@link SharedChunks}):
 * each check's status is cached and recomputed only when it or a check it depends on changes, and
 * the overall state and readiness come from counters kept as states change.
 */
public final class StatusBoard {
  private final Clock clock;
  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private final List<String> readinessGroup;
  /** Reverse {@code depends-on} edges: the checks whose cause may change when a check changes. */
  private final Map<String, List<Entry>> dependents = new HashMap<>();
  private final SharedChunks.Draft<CheckStatus> statuses = new SharedChunks.Draft<>();
  /** Written by {@link #insert}, frozen into {@link #positions} by the next {@link #publish}. */
  private final Map<String, Integer> positionsDraft = new HashMap<>();
  private Map<String, Integer> positions = Map.of();
  private final Tally tally = new Tally();
  private long seq;
  private boolean draining;
  /**
   * Latched once every check has reported: a check added later does not undo startup. A board with
   * no check at all reads as started without latching, so that the first checks an embedding
   * program registers after {@code start()} are waited for.
   */
  private boolean startupPassed;
  private OverallState overall = OverallState.UNKNOWN;
  private volatile Snapshot snapshot;
  /** Whether readiness still counts a check in maintenance (the default), or leaves it out. */
  private final boolean readinessFollowsMaintenance;
  private Set<String> maintenance = Set.of();

  /** The board's output for one recorded result: its sequence number, the check now, and transitions. */
  public record Recorded(long seq, CheckStatus status, List<Transition> transitions) {}

  /** {@code readinessGroup} null means every critical check; {@code clock} measures ages and stamps times. */
  public StatusBoard(List<CheckSpec> specs, List<String> readinessGroup, Clock clock) {
    this(specs, readinessGroup, clock, true);
  }

  /** As above; {@code readinessFollowsMaintenance} false leaves checks in maintenance out of readiness. */
  public StatusBoard(List<CheckSpec> specs, List<String> readinessGroup, Clock clock, boolean readinessFollowsMaintenance) {
    this.clock = clock;
    this.readinessFollowsMaintenance = readinessFollowsMaintenance;
    this.readinessGroup = readinessGroup == null ? null : List.copyOf(readinessGroup);
    for (CheckSpec spec : specs) {
      insert(spec);
    }
    latchStartup();
    overall = computeOverall();
    publish();
  }

  /** The latest snapshot; safe to call from any thread. */
  public Snapshot snapshot() {
    return snapshot;
  }

  /**
   * Adds a check at run time: a change like any other, with its own seq and the overall transition
   * it causes (a check that has not reported is UNKNOWN). Fails on a duplicate name or an unknown
   * dependency.
   */
  public List<Transition> add(CheckSpec spec) {
    if (entries.containsKey(spec.name())) {
      throw new IllegalArgumentException("a check named \"" + spec.name() + "\" exists already");
    }
    for (String dep : spec.options().dependsOn()) {
      if (!entries.containsKey(dep)) {
        throw new IllegalArgumentException("check \"" + spec.name() + "\" depends on unknown check \"" + dep + "\"");
      }
    }
    // Existing checks cannot depend on a new one, so adding a node with edges to known nodes keeps the graph acyclic.
    insert(spec);
    ++seq;
    List<Transition> transitions = new ArrayList<>();
    overallTransition(clock.wall()).ifPresent(transitions::add);
    publish();
    return transitions;
  }

  /**
   * Takes note of a seq another board gave (a Lamport clock): every seq this board gives from now on
   * is larger. Clustered, each member's board sees every result, and the owner of a check numbers its
   * events; so a check's events keep increasing in seq when its owner changes.
   */
  public void witness(long otherSeq) {
    seq = Math.max(seq, otherSeq);
  }

  /**
   * Records one probe result and returns what changed. Ignored, with a null status: a result for an
   * unknown check, and one older than the check's latest (clustered, a replica that waited in a
   * frozen member's buffers, or the old owner's last probe after a handover). A result already older
   * than max-age counts, but leaves the check UNKNOWN.
   */
  public Recorded record(CheckResult r) {
    Recorded rec = apply(r);
    if (rec.status() != null) {
      publish();
    }
    return rec;
  }

  /**
   * Records several results, in order, as {@link #record} would one by one, and publishes one
   * snapshot after the last (clustered, a batch of another member's results: one snapshot per batch,
   * not per result). Each {@link Recorded} holds the check's status right after its own result.
   */
  public List<Recorded> recordAll(List<CheckResult> results) {
    List<Recorded> out = new ArrayList<>(results.size());
    boolean changed = false;
    for (CheckResult r : results) {
      Recorded rec = apply(r);
      changed |= rec.status() != null;
      out.add(rec);
    }
    if (changed) {
      publish();
    }
    return out;
  }

  private Recorded apply(CheckResult r) {
    Entry e = entries.get(r.check());
    if (e == null || e.lastResult != null && r.atNanos() < e.lastResult.atNanos()) {
      return new Recorded(seq, null, List.of());
    }
    CheckState from = e.state();
    tally.count(e, -1);
    e.apply(r, clock.nanos());
    long resultSeq = ++seq;
    List<Transition> transitions = new ArrayList<>();
    if (e.state() != from) {
      e.since = r.at();
    }
    tally.count(e, +1);
    latchStartup();
    // A DOWN check's latest failure is part of its dependents' messages, so they follow it too.
    refresh(e, e.state() != from || e.state() == CheckState.DOWN);
    if (e.state() != from) {
      CheckStatus s = statuses.get(e.position);
      transitions.add(new Transition(e.spec.name(), from.name(), e.state().name(), s.reason(), s.cause(), r.at(), ++seq));
    }
    overallTransition(r.at()).ifPresent(transitions::add);
    return new Recorded(resultSeq, statuses.get(e.position), transitions);
  }

  /**
   * Turns checks whose latest result is older than their max-age, on the monotonic clock, UNKNOWN.
   * Their verdict and counters are kept for the next result.
   */
  public List<Transition> expire() {
    long now = clock.nanos();
    List<Transition> transitions = new ArrayList<>();
    for (Entry e : entries.values()) {
      if (!e.stale && e.lastResult != null && now - e.lastResult.atNanos() > e.maxAgeNanos) {
        String from = e.state().name();
        tally.count(e, -1);
        e.stale = true;
        e.since = clock.wall();
        tally.count(e, +1);
        refresh(e, true);
        transitions.add(new Transition(e.spec.name(), from, CheckState.UNKNOWN.name(), null, null, e.since, ++seq));
      }
    }
    if (!transitions.isEmpty()) {
      overallTransition(clock.wall()).ifPresent(transitions::add);
      publish();
    }
    return transitions;
  }

  /**
   * Puts exactly {@code checks} in maintenance (and takes the others out): their state is tracked as
   * ever and shown flagged. Returns true when that changed anything; then there is a new snapshot.
   */
  public boolean maintenance(Set<String> checks) {
    if (checks.equals(maintenance)) {
      return false;
    }
    Set<String> before = maintenance;
    maintenance = Set.copyOf(checks);
    for (Entry e : entries.values()) {
      boolean now = maintenance.contains(e.spec.name());
      if (now != before.contains(e.spec.name())) {
        tally.count(e, -1);
        e.maintenance = now;
        tally.count(e, +1);
        refresh(e, false);
      }
    }
    ++seq;
    publish();
    return true;
  }

  /** Marks the monitor as draining: readiness turns false at once, whatever the checks say. */
  public void drain() {
    draining = true;
    publish();
  }

  private Optional<Transition> overallTransition(Instant at) {
    OverallState next = computeOverall();
    if (next == overall) {
      return Optional.empty();
    }
    OverallState prev = overall;
    overall = next;
    Reason reason = null;
    String cause = null;
    for (Entry e : entries.values()) {
      if (e.spec.options().critical() && e.state() == CheckState.DOWN) {
        CheckStatus s = statuses.get(e.position);
        reason = s.reason();
        cause = s.cause() != null ? s.cause() : e.spec.name();
        break;
      }
    }
    return Optional.of(new Transition(Transition.OVERALL, prev.name(), next.name(), reason, cause, at, ++seq));
  }

  private void latchStartup() {
    startupPassed |= !entries.isEmpty() && tally.unreported == 0;
  }

  private boolean started() {
    return startupPassed || entries.isEmpty();
  }

  private OverallState computeOverall() {
    if (!started()) {
      return OverallState.UNKNOWN;
    }
    if (tally.criticalDown > 0) {
      return OverallState.DOWN;
    }
    if (tally.criticalUnknown > 0) {
      return OverallState.UNKNOWN;
    }
    return tally.nonCriticalNotUp > 0 ? OverallState.DEGRADED : OverallState.UP;
  }

  private boolean ready() {
    return started() && !draining && tally.readinessNotUp == 0;
  }

  private void insert(CheckSpec spec) {
    Entry e = new Entry(spec, clock.wall(), statuses.size(), inReadinessGroup(spec.name(), spec.options().critical()));
    e.maintenance = maintenance.contains(spec.name());
    entries.put(spec.name(), e);
    for (String dep : spec.options().dependsOn()) {
      dependents.computeIfAbsent(dep, k -> new ArrayList<>()).add(e);
    }
    positionsDraft.put(spec.name(), e.position);
    statuses.add(null);
    tally.count(e, +1);
    refresh(e, false);
  }

  private boolean inReadinessGroup(String name, boolean critical) {
    return readinessGroup == null ? critical : readinessGroup.contains(name);
  }

  /** Recomputes the cached status of {@code e} and, when asked, of every check that depends on it. */
  private void refresh(Entry e, boolean withDependents) {
    statuses.set(e.position, status(e));
    if (!withDependents) {
      return;
    }
    Set<String> seen = new HashSet<>(List.of(e.spec.name()));
    List<Entry> todo = new ArrayList<>(dependents.getOrDefault(e.spec.name(), List.of()));
    while (!todo.isEmpty()) {
      Entry d = todo.remove(todo.size() - 1);
      if (seen.add(d.spec.name())) {
        statuses.set(d.position, status(d));
        todo.addAll(dependents.getOrDefault(d.spec.name(), List.of()));
      }
    }
  }

  private void publish() {
    if (positions.size() != positionsDraft.size()) { // checks are only ever added
      positions = Map.copyOf(positionsDraft);
    }
    snapshot = new Snapshot(seq, clock.wall(), overall, started(), draining, ready(), statuses.publish(), positions);
  }

  private CheckStatus status(Entry e) {
    CheckState state = e.state();
    boolean failing = !e.stale && (state == CheckState.DOWN || e.consecutiveFailures > 0);
    Reason reason = null;
    String message = null;
    String cause = null;
    if (e.stale) {
      message = "no result for longer than max-age (" + text(e.spec.options().effectiveMaxAge()) + ")";
    } else if (failing && e.lastFailure != null) {
      reason = e.lastFailure.reason();
      message = e.lastFailure.message();
      cause = rootCause(e, new HashSet<>());
      if (cause != null) {
        Entry root = entries.get(cause);
        Reason rootReason = root.lastFailure == null ? null : root.lastFailure.reason();
        message = cause + " is DOWN" + (rootReason == null ? "" : " (" + rootReason.label() + ")")
            + "; own probe: " + (reason == null ? "" : reason.label() + ": ") + message;
        reason = Reason.DEPENDENCY;
      }
    }
    CheckResult last = e.lastResult;
    return new CheckStatus(e.spec.name(), e.spec.type(), e.spec.options().critical(), state, reason, message,
        cause, last == null ? null : last.latencyMs(), e.since, e.lastSuccess, last == null ? null : last.at(),
        e.consecutiveFailures, e.consecutiveSuccesses, e.spec.options().dependsOn(),
        last == null ? Map.of() : last.data(), last == null || last.ok() ? null : last.reason(), e.maintenance);
  }

  /** The DOWN dependency furthest down the chain below {@code e}, or null when every dependency is up. */
  private String rootCause(Entry e, Set<String> seen) {
    if (!seen.add(e.spec.name())) {
      return null;
    }
    for (String dep : e.spec.options().dependsOn()) {
      Entry d = entries.get(dep);
      if (d != null && d.state() == CheckState.DOWN) {
        String deeper = rootCause(d, seen);
        return deeper != null ? deeper : dep;
      }
    }
    return null;
  }

  private static String text(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }

  /** How many checks stand where the overall state and readiness look; kept as states change. */
  private final class Tally {
    int unreported;
    int criticalDown;
    int criticalUnknown;
    int nonCriticalNotUp;
    int readinessNotUp;

    /** Adds ({@code +1}) or removes ({@code -1}) what {@code e} contributes in its current state. */
    void count(Entry e, int sign) {
      boolean critical = e.spec.options().critical();
      CheckState state = e.state();
      unreported += e.reported ? 0 : sign;
      criticalDown += critical && state == CheckState.DOWN ? sign : 0;
      criticalUnknown += critical && state == CheckState.UNKNOWN ? sign : 0;
      nonCriticalNotUp += !critical && state != CheckState.UP ? sign : 0;
      boolean counted = e.inReadinessGroup && (readinessFollowsMaintenance || !e.maintenance);
      readinessNotUp += counted && state != CheckState.UP ? sign : 0;
    }
  }

  /** Mutable per-check state, touched only by the board's thread. */
  private static final class Entry {
    final CheckSpec spec;
    final int position;
    final boolean inReadinessGroup;
    final long maxAgeNanos;
    /** The verdict of the thresholds: UNKNOWN only until the first result ever, then UP or DOWN. */
    CheckState verdict = CheckState.UNKNOWN;
    /** The latest result is older than max-age: the check reads UNKNOWN, its verdict kept for later. */
    boolean stale;
    int consecutiveFailures;
    int consecutiveSuccesses;
    boolean reported;
    CheckResult lastResult;
    CheckResult lastFailure;
    Instant since;
    Instant lastSuccess;
    boolean maintenance;

    Entry(CheckSpec spec, Instant now, int position, boolean inReadinessGroup) {
      this.spec = spec;
      this.since = now;
      this.position = position;
      this.inReadinessGroup = inReadinessGroup;
      this.maxAgeNanos = spec.options().effectiveMaxAge().toNanos();
    }

    /** What the check reads now. */
    CheckState state() {
      return stale ? CheckState.UNKNOWN : verdict;
    }

    void apply(CheckResult r, long now) {
      reported = true;
      stale = now - r.atNanos() > maxAgeNanos;
      lastResult = r;
      if (r.ok()) {
        consecutiveSuccesses++;
        consecutiveFailures = 0;
        lastSuccess = r.at();
      } else {
        consecutiveFailures++;
        consecutiveSuccesses = 0;
        lastFailure = r;
      }
      verdict = switch (verdict) {
        case UNKNOWN -> r.ok() ? CheckState.UP : CheckState.DOWN;
        case UP -> consecutiveFailures >= spec.options().failureThreshold() ? CheckState.DOWN : CheckState.UP;
        case DOWN -> consecutiveSuccesses >= spec.options().successThreshold() ? CheckState.UP : CheckState.DOWN;
      };
    }
  }
}

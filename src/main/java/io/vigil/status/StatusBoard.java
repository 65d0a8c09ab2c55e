package io.vigil.status;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Judges raw probe results: thresholds, staleness, root causes through {@code depends-on}, the
 * overall state and readiness. Plain Java, no Vert.x: confine each board to one thread (the monitor
 * runs it on one Vert.x context); others read {@link #snapshot()}, an immutable value swapped in on
 * every change, so readers take no lock.
 *
 * <p>Rules: a check's first result after UNKNOWN decides its state (there is no earlier good state to
 * protect); then it turns DOWN after {@code failure-threshold} consecutive failures and UP after
 * {@code success-threshold} consecutive successes. A result older than {@code max-age} makes it
 * UNKNOWN. Overall: UNKNOWN until every check has reported once; DOWN when a critical check is DOWN;
 * UNKNOWN when a critical check is stale; DEGRADED when only non-critical checks are not UP.
 *
 * <p>Cost per result is independent of the number of checks but for one copy of the status list:
 * each check's status is cached and recomputed only when it or a check it depends on changes, and
 * the overall state and readiness come from counters kept as states change.
 */
public final class StatusBoard {
  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private final List<String> readinessGroup;
  /** Reverse {@code depends-on} edges: the checks whose cause may change when a check changes. */
  private final Map<String, List<Entry>> dependents = new HashMap<>();
  private final List<CheckStatus> statuses = new ArrayList<>();
  private Map<String, Integer> positions = Map.of();
  private final Tally tally = new Tally();
  private long seq;
  private boolean draining;
  private OverallState overall = OverallState.UNKNOWN;
  private volatile Snapshot snapshot;

  /** The board's output for one recorded result: its sequence number, the check now, and transitions. */
  public record Recorded(long seq, CheckStatus status, List<Transition> transitions) {}

  /** {@code readinessGroup} null means every critical check. */
  public StatusBoard(List<CheckSpec> specs, List<String> readinessGroup, Instant now) {
    this.readinessGroup = readinessGroup == null ? null : List.copyOf(readinessGroup);
    for (CheckSpec spec : specs) {
      insert(spec, now);
    }
    publish(now);
  }

  /** The latest snapshot; safe to call from any thread. */
  public Snapshot snapshot() {
    return snapshot;
  }

  /**
   * Adds a check at run time. Fails on a duplicate name, an unknown dependency, or a dependency cycle.
   */
  public void add(CheckSpec spec, Instant now) {
    if (entries.containsKey(spec.name())) {
      throw new IllegalArgumentException("a check named \"" + spec.name() + "\" exists already");
    }
    for (String dep : spec.options().dependsOn()) {
      if (!entries.containsKey(dep)) {
        throw new IllegalArgumentException("check \"" + spec.name() + "\" depends on unknown check \"" + dep + "\"");
      }
    }
    // Existing checks cannot depend on a new one, so adding a node with edges to known nodes keeps the graph acyclic.
    insert(spec, now);
    overall = computeOverall(); // a new check has not reported: overall waits for it
    publish(now);
  }

  /** Records one probe result and returns what changed. Results for unknown checks are ignored. */
  public Recorded record(CheckResult r) {
    Entry e = entries.get(r.check());
    if (e == null) {
      return new Recorded(seq, null, List.of());
    }
    CheckState from = e.state;
    tally.count(e, -1);
    e.apply(r);
    long resultSeq = ++seq;
    List<Transition> transitions = new ArrayList<>();
    if (e.state != from) {
      e.since = r.at();
    }
    tally.count(e, +1);
    // A DOWN check's latest failure is part of its dependents' messages, so they follow it too.
    refresh(e, e.state != from || e.state == CheckState.DOWN);
    if (e.state != from) {
      CheckStatus s = statuses.get(e.position);
      transitions.add(new Transition(e.spec.name(), from.name(), e.state.name(), s.reason(), s.cause(), r.at(), ++seq));
    }
    overallTransition(r.at()).ifPresent(transitions::add);
    publish(r.at());
    return new Recorded(resultSeq, statuses.get(e.position), transitions);
  }

  /** Turns checks whose latest result is older than their max-age UNKNOWN. */
  public List<Transition> expire(Instant now) {
    List<Transition> transitions = new ArrayList<>();
    for (Entry e : entries.values()) {
      if (e.state != CheckState.UNKNOWN && e.lastResult != null
          && e.lastResult.at().plus(e.spec.options().effectiveMaxAge()).isBefore(now)) {
        String from = e.state.name();
        tally.count(e, -1);
        e.state = CheckState.UNKNOWN;
        e.since = now;
        e.consecutiveFailures = 0;
        e.consecutiveSuccesses = 0;
        tally.count(e, +1);
        refresh(e, true);
        transitions.add(new Transition(e.spec.name(), from, CheckState.UNKNOWN.name(), null, null, now, ++seq));
      }
    }
    if (!transitions.isEmpty()) {
      overallTransition(now).ifPresent(transitions::add);
      publish(now);
    }
    return transitions;
  }

  /** Marks the monitor as draining: readiness turns false at once, whatever the checks say. */
  public void drain(Instant now) {
    draining = true;
    publish(now);
  }

  private java.util.Optional<Transition> overallTransition(Instant now) {
    OverallState next = computeOverall();
    if (next == overall) {
      return java.util.Optional.empty();
    }
    OverallState prev = overall;
    overall = next;
    Reason reason = null;
    String cause = null;
    for (Entry e : entries.values()) {
      if (e.spec.options().critical() && e.state == CheckState.DOWN) {
        CheckStatus s = status(e);
        reason = s.reason();
        cause = s.cause() != null ? s.cause() : e.spec.name();
        break;
      }
    }
    return java.util.Optional.of(new Transition(Transition.OVERALL, prev.name(), next.name(), reason, cause, now, ++seq));
  }

  private boolean started() {
    return tally.unreported == 0;
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

  private boolean ready(boolean started) {
    return started && !draining && tally.readinessNotUp == 0;
  }

  private void insert(CheckSpec spec, Instant now) {
    Entry e = new Entry(spec, now, statuses.size(), inReadinessGroup(spec.name(), spec.options().critical()));
    entries.put(spec.name(), e);
    for (String dep : spec.options().dependsOn()) {
      dependents.computeIfAbsent(dep, k -> new ArrayList<>()).add(e);
    }
    Map<String, Integer> next = new HashMap<>(positions);
    next.put(spec.name(), e.position);
    positions = Map.copyOf(next);
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

  private void publish(Instant now) {
    boolean started = started();
    snapshot = new Snapshot(seq, now, overall, started, draining, ready(started), statuses, positions);
  }

  private CheckStatus status(Entry e) {
    boolean failing = e.state == CheckState.DOWN || e.consecutiveFailures > 0;
    Reason reason = null;
    String message = null;
    String cause = null;
    if (failing && e.lastFailure != null) {
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
    return new CheckStatus(e.spec.name(), e.spec.type(), e.spec.options().critical(), e.state, reason, message,
        cause, last == null ? null : last.latencyMs(), e.since, e.lastSuccess, last == null ? null : last.at(),
        e.consecutiveFailures, e.consecutiveSuccesses, e.spec.options().dependsOn(),
        last == null ? Map.of() : last.data());
  }

  /** The DOWN dependency furthest down the chain below {@code e}, or null when every dependency is up. */
  private String rootCause(Entry e, Set<String> seen) {
    if (!seen.add(e.spec.name())) {
      return null;
    }
    for (String dep : e.spec.options().dependsOn()) {
      Entry d = entries.get(dep);
      if (d != null && d.state == CheckState.DOWN) {
        String deeper = rootCause(d, seen);
        return deeper != null ? deeper : dep;
      }
    }
    return null;
  }

  /** How many checks stand where the overall state and readiness look; kept as states change. */
  private static final class Tally {
    int unreported;
    int criticalDown;
    int criticalUnknown;
    int nonCriticalNotUp;
    int readinessNotUp;

    /** Adds ({@code +1}) or removes ({@code -1}) what {@code e} contributes in its current state. */
    void count(Entry e, int sign) {
      boolean critical = e.spec.options().critical();
      unreported += e.reported ? 0 : sign;
      criticalDown += critical && e.state == CheckState.DOWN ? sign : 0;
      criticalUnknown += critical && e.state == CheckState.UNKNOWN ? sign : 0;
      nonCriticalNotUp += !critical && e.state != CheckState.UP ? sign : 0;
      readinessNotUp += e.inReadinessGroup && e.state != CheckState.UP ? sign : 0;
    }
  }

  /** Mutable per-check state, touched only by the board's thread. */
  private static final class Entry {
    final CheckSpec spec;
    final int position;
    final boolean inReadinessGroup;
    CheckState state = CheckState.UNKNOWN;
    int consecutiveFailures;
    int consecutiveSuccesses;
    boolean reported;
    CheckResult lastResult;
    CheckResult lastFailure;
    Instant since;
    Instant lastSuccess;

    Entry(CheckSpec spec, Instant now, int position, boolean inReadinessGroup) {
      this.spec = spec;
      this.since = now;
      this.position = position;
      this.inReadinessGroup = inReadinessGroup;
    }

    void apply(CheckResult r) {
      reported = true;
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
      state = switch (state) {
        case UNKNOWN -> r.ok() ? CheckState.UP : CheckState.DOWN;
        case UP -> consecutiveFailures >= spec.options().failureThreshold() ? CheckState.DOWN : CheckState.UP;
        case DOWN -> consecutiveSuccesses >= spec.options().successThreshold() ? CheckState.UP : CheckState.DOWN;
      };
    }
  }
}

package io.vigil.status;

import java.time.Instant;
import java.util.ArrayList;
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
 */
public final class StatusBoard {
  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private final List<String> readinessGroup;
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
      entries.put(spec.name(), new Entry(spec, now));
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
    entries.put(spec.name(), new Entry(spec, now));
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
    e.apply(r);
    long resultSeq = ++seq;
    List<Transition> transitions = new ArrayList<>();
    if (e.state != from) {
      e.since = r.at();
      CheckStatus s = status(e);
      transitions.add(new Transition(e.spec.name(), from.name(), e.state.name(), s.reason(), s.cause(), r.at(), ++seq));
    }
    overallTransition(r.at()).ifPresent(transitions::add);
    publish(r.at());
    return new Recorded(resultSeq, snapshot.check(r.check()).orElseThrow(), transitions);
  }

  /** Turns checks whose latest result is older than their max-age UNKNOWN. */
  public List<Transition> expire(Instant now) {
    List<Transition> transitions = new ArrayList<>();
    for (Entry e : entries.values()) {
      if (e.state != CheckState.UNKNOWN && e.lastResult != null
          && e.lastResult.at().plus(e.spec.options().effectiveMaxAge()).isBefore(now)) {
        String from = e.state.name();
        e.state = CheckState.UNKNOWN;
        e.since = now;
        e.consecutiveFailures = 0;
        e.consecutiveSuccesses = 0;
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
    return entries.values().stream().allMatch(e -> e.reported);
  }

  private OverallState computeOverall() {
    if (!started()) {
      return OverallState.UNKNOWN;
    }
    boolean criticalUnknown = false;
    boolean degraded = false;
    for (Entry e : entries.values()) {
      boolean critical = e.spec.options().critical();
      if (e.state == CheckState.DOWN && critical) {
        return OverallState.DOWN;
      }
      if (e.state == CheckState.UNKNOWN && critical) {
        criticalUnknown = true;
      } else if (e.state != CheckState.UP && !critical) {
        degraded = true;
      }
    }
    if (criticalUnknown) {
      return OverallState.UNKNOWN;
    }
    return degraded ? OverallState.DEGRADED : OverallState.UP;
  }

  private boolean ready(boolean started) {
    if (!started || draining) {
      return false;
    }
    for (Entry e : entries.values()) {
      boolean inGroup = readinessGroup == null ? e.spec.options().critical() : readinessGroup.contains(e.spec.name());
      if (inGroup && e.state != CheckState.UP) {
        return false;
      }
    }
    return true;
  }

  private void publish(Instant now) {
    List<CheckStatus> checks = new ArrayList<>(entries.size());
    for (Entry e : entries.values()) {
      checks.add(status(e));
    }
    boolean started = started();
    snapshot = new Snapshot(seq, now, overall, started, draining, ready(started), checks);
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

  /** Mutable per-check state, touched only by the board's thread. */
  private static final class Entry {
    final CheckSpec spec;
    CheckState state = CheckState.UNKNOWN;
    int consecutiveFailures;
    int consecutiveSuccesses;
    boolean reported;
    CheckResult lastResult;
    CheckResult lastFailure;
    Instant since;
    Instant lastSuccess;

    Entry(CheckSpec spec, Instant now) {
      this.spec = spec;
      this.since = now;
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

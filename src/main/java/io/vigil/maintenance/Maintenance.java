package io.vigil.maintenance;

import io.vigil.model.MaintenanceWindow;
import io.vigil.model.Silence;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which checks are in maintenance now: the config's windows and the silences set through the admin
 * API. Plain Java; the silences are safe to add, list and remove from any thread (the admin API's
 * event loops) while the board asks {@link #active} on its own. Silences live in this process only:
 * a restart forgets them, and in a cluster each member keeps its own (README, "Maintenance").
 */
public final class Maintenance {
  /** More than enough for people; a bound so that a script gone wrong cannot grow the heap. */
  public static final int MAX_SILENCES = 1_000;
  private final List<MaintenanceWindow> windows;
  private final boolean readinessFollows;
  private final Map<String, Silence> silences = new ConcurrentHashMap<>();

  /** {@code readinessFollows}: whether readiness still counts a check in maintenance (the default). */
  public Maintenance(List<MaintenanceWindow> windows, boolean readinessFollows) {
    this.windows = List.copyOf(windows);
    this.readinessFollows = readinessFollows;
  }

  /** No windows, no silences yet; readiness follows every check. */
  public static Maintenance none() {
    return new Maintenance(List.of(), true);
  }

  public boolean readinessFollows() {
    return readinessFollows;
  }

  /** The checks among {@code checks} in maintenance at {@code now}; expired silences are forgotten. */
  public Set<String> active(Iterable<String> checks, Instant now) {
    silences.values().removeIf(s -> s.expired(now));
    if (windows.isEmpty() && silences.isEmpty()) {
      return Set.of();
    }
    List<MaintenanceWindow> open = windows.stream().filter(w -> w.covers(now)).toList();
    List<Silence> on = silences.values().stream().filter(s -> !now.isBefore(s.startsAt())).toList();
    Set<String> out = new HashSet<>();
    for (String c : checks) {
      if (open.stream().anyMatch(w -> w.about(c)) || on.stream().anyMatch(s -> s.covers(c, now))) {
        out.add(c);
      }
    }
    return out;
  }

  /** Adds a silence; empty when {@value #MAX_SILENCES} are active already. */
  public Optional<Silence> add(Silence s) {
    synchronized (silences) {
      if (silences.size() >= MAX_SILENCES) {
        return Optional.empty();
      }
      silences.put(s.id(), s);
      return Optional.of(s);
    }
  }

  /** The silences not yet over, the soonest to end first. */
  public List<Silence> silences(Instant now) {
    List<Silence> out = new ArrayList<>(silences.values().stream().filter(s -> !s.expired(now)).toList());
    out.sort(Comparator.comparing(Silence::endsAt).thenComparing(Silence::id));
    return out;
  }

  /** Ends a silence now; false when there is none with that id. */
  public boolean remove(String id) {
    return silences.remove(id) != null;
  }
}

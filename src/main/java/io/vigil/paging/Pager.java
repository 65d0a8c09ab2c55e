package io.vigil.paging;

import io.vigil.model.CheckState;
import io.vigil.model.CheckStatus;
import io.vigil.model.Severity;
import io.vigil.model.Snapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Root-cause folding for one notifier, as pure logic: reads snapshots and says what to page. A DOWN
 * check whose cause is another DOWN check this notifier watches is folded into that root's page and
 * sends nothing of its own; the root's page lists what it took down, and its resolve names those
 * that recovered. A root is paged once its group wait has passed, then every repeat interval, and
 * resolved when it is no longer DOWN (or is now the dependent of another root) and its dependents
 * are UP again, or a group wait after it recovered if some are not. A root that fails again before
 * its resolve went out continues its episode: a flap pages once. A check UNKNOWN
 * (stale) neither fires nor resolves: no news is not recovery. Not thread-safe: one caller.
 *
 * <p>Clustered, every member runs the same pager on the same view, and only a root's owner sends
 * what it says; so the member that takes a check over knows what was paged already.
 */
public final class Pager {
  private final PagingRules rules;
  private final Map<String, Episode> episodes = new HashMap<>();

  /** A root cause being watched: since when, whether paged, and every check it took down meanwhile. */
  private static final class Episode {
    final long firstNanos;
    boolean paged;
    long lastPagedNanos;
    /** When the root stopped being DOWN, while its resolve waits for its dependents; -1 while it fires. */
    long endedNanos = -1;
    final TreeSet<String> affected = new TreeSet<>();

    Episode(long firstNanos) {
      this.firstNanos = firstNanos;
    }
  }

  public Pager(PagingRules rules) {
    this.rules = rules;
  }

  /**
   * The pages {@code snapshot} calls for at {@code nowNanos} (monotonic) and {@code wall}. A root
   * the snapshot flags in maintenance (a window, a silence) is tracked but paged for nothing, its
   * resolve included; its page goes out if it still fires once the maintenance ends.
   */
  public List<Page> evaluate(Snapshot snapshot, long nowNanos, Instant wall) {
    List<Page> pages = new ArrayList<>();
    Map<String, List<String>> roots = roots(snapshot);
    roots.forEach((name, affected) -> {
      CheckStatus root = snapshot.status(name);
      Episode e = episodes.computeIfAbsent(name, n -> new Episode(nowNanos));
      e.affected.addAll(affected);
      e.endedNanos = -1; // down again before its resolve went out: the same episode, no new page
      if (root.maintenance()) {
        return;
      }
      if (!e.paged && nowNanos - e.firstNanos >= rules.groupWait().toNanos()) {
        e.paged = true;
        e.lastPagedNanos = nowNanos;
        pages.add(firing(root, affected, false, wall, snapshot.seq()));
      } else if (e.paged && nowNanos - e.lastPagedNanos >= rules.repeatInterval().toNanos()) {
        e.lastPagedNanos = nowNanos;
        pages.add(firing(root, affected, true, wall, snapshot.seq()));
      }
    });
    for (Iterator<Map.Entry<String, Episode>> it = episodes.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Episode> entry = it.next();
      String name = entry.getKey();
      CheckStatus now = snapshot.status(name);
      if (roots.containsKey(name) || (now != null && now.state() == CheckState.UNKNOWN && rules.watches(now))) {
        continue;
      }
      Episode e = entry.getValue();
      if (e.paged && now != null) {
        e.endedNanos = e.endedNanos < 0 ? nowNanos : e.endedNanos;
        // The dependents recover a probe or so after their root: the resolve waits for them, up to a group wait.
        boolean settled = e.affected.stream().allMatch(a -> up(snapshot, a));
        if (!settled && nowNanos - e.endedNanos < rules.groupWait().toNanos()) {
          continue;
        }
      }
      it.remove();
      if (e.paged && rules.sendResolved() && now != null && !now.maintenance()) {
        List<String> recovered = e.affected.stream().filter(a -> up(snapshot, a)).toList();
        pages.add(new Page(Page.Kind.RESOLVED, false, now, Severity.of(now.critical()), List.copyOf(e.affected),
            recovered, now.since() == null ? wall : now.since(), wall, snapshot.seq()));
      }
    }
    return pages;
  }

  /** True while {@code name} has been paged and not resolved (for the owner taking it over, and tests). */
  public boolean firing(String name) {
    Episode e = episodes.get(name);
    return e != null && e.paged;
  }

  /** The roots this notifier pages for now, each with the DOWN checks it caused (sorted). */
  private Map<String, List<String>> roots(Snapshot snapshot) {
    Map<String, List<String>> roots = new HashMap<>();
    for (CheckStatus c : snapshot.checks()) {
      if (c.state() == CheckState.DOWN && rules.watches(c) && !foldedIntoWatchedRoot(c, snapshot)) {
        roots.put(c.name(), new ArrayList<>());
      }
    }
    for (CheckStatus c : snapshot.checks()) {
      if (c.state() == CheckState.DOWN && c.cause() != null && !c.cause().equals(c.name())
          && roots.containsKey(c.cause())) {
        roots.get(c.cause()).add(c.name());
      }
    }
    roots.values().forEach(list -> list.sort(null));
    return roots;
  }

  /** A DOWN check whose root cause is DOWN and watched here: the root's page speaks for it. */
  private boolean foldedIntoWatchedRoot(CheckStatus c, Snapshot snapshot) {
    if (c.cause() == null || c.cause().equals(c.name())) {
      return false;
    }
    CheckStatus cause = snapshot.status(c.cause());
    return cause != null && cause.state() == CheckState.DOWN && rules.watches(cause);
  }

  private static boolean up(Snapshot snapshot, String name) {
    CheckStatus c = snapshot.status(name);
    return c != null && c.state() == CheckState.UP;
  }

  private static Page firing(CheckStatus root, List<String> affected, boolean repeat, Instant wall, long seq) {
    return new Page(Page.Kind.FIRING, repeat, root, Severity.of(root.critical()), affected, List.of(),
        root.since() == null ? wall : root.since(), wall, seq);
  }
}

package io.vigil.testsupport;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

/**
 * Measures how long this JVM was not running at all: a daemon thread sleeps {@link #TICK} at a
 * time and records each wake-up that came late by more than {@link #MIN_STALL}. A late wake-up is
 * the machine's doing (the CPU given to other processes, a GC or safepoint pause), never an event
 * loop's, since nothing else runs on this thread. {@link BlockedThreadGuard} subtracts these stalls
 * from a blocked-thread warning: an event loop "blocked" 260 ms while the whole JVM stood still for
 * 100 ms of it ran its code for at most 160 ms.
 */
final class MachineStalls {
  static final long TICK = TimeUnit.MILLISECONDS.toNanos(5);
  static final long MIN_STALL = TimeUnit.MILLISECONDS.toNanos(10);
  /** Stalls are kept this long: longer than any warning is old when the guard judges it. */
  static final long KEEP = TimeUnit.SECONDS.toNanos(120);

  /** A stall: the JVM did not run between {@code fromNanos} and {@code toNanos} (System.nanoTime). */
  record Stall(long fromNanos, long toNanos) {}

  private static final MachineStalls WATCHED = new MachineStalls();

  static {
    Thread t = new Thread(WATCHED::watch, "machine-stall-watchdog");
    t.setDaemon(true);
    t.start();
  }

  private final Deque<Stall> stalls = new ArrayDeque<>();

  /** A record of stalls fed by hand (tests); {@link #watched()} is the one the watchdog fills. */
  MachineStalls() {}

  /** The JVM's stalls, recorded since this class was loaded. */
  static MachineStalls watched() {
    return WATCHED;
  }

  private void watch() {
    while (true) {
      long before = System.nanoTime();
      try {
        TimeUnit.NANOSECONDS.sleep(TICK);
      } catch (InterruptedException e) {
        return;
      }
      long after = System.nanoTime();
      long late = after - before - TICK;
      if (late > MIN_STALL) {
        record(new Stall(after - late, after));
      }
    }
  }

  synchronized void record(Stall s) {
    stalls.addLast(s);
    while (!stalls.isEmpty() && stalls.peekFirst().toNanos() < s.toNanos() - KEEP) {
      stalls.removeFirst();
    }
  }

  /** How much of {@code [fromNanos, toNanos]} the JVM spent stalled. */
  synchronized long stalledWithin(long fromNanos, long toNanos) {
    long total = 0;
    for (Stall s : stalls) {
      long overlap = Math.min(toNanos, s.toNanos()) - Math.max(fromNanos, s.fromNanos());
      if (overlap > 0) {
        total += overlap;
      }
    }
    return total;
  }
}

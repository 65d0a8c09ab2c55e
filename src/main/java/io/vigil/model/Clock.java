package io.vigil.model;

import java.time.Instant;

/**
 * Time, split in two: a monotonic count for everything that is measured (latency, timeouts, ages,
 * staleness), and the wall clock only for timestamps shown to people. A wall-clock step (NTP, a VM
 * resumed, an operator) therefore changes no state. Tests inject their own.
 */
public interface Clock {

  /** Monotonic nanoseconds from an arbitrary origin; only differences mean anything. */
  long nanos();

  /** The wall-clock time, for display. */
  Instant wall();

  /** {@link System#nanoTime()} and {@link Instant#now()}. */
  Clock SYSTEM = new Clock() {
    @Override
    public long nanos() {
      return System.nanoTime();
    }

    @Override
    public Instant wall() {
      return Instant.now();
    }
  };
}

package io.vigil.status;

import io.vigil.model.Clock;
import java.time.Duration;
import java.time.Instant;

/** A clock a test moves by hand: {@link #advance} moves both times, {@link #stepWall} only the wall clock. */
public final class ManualClock implements Clock {
  private volatile long nanos;
  private volatile Instant wall;

  public ManualClock(Instant wall) {
    this.wall = wall;
    this.nanos = 1_000_000_000L; // an arbitrary origin: only differences mean anything
  }

  /** Time passes: the monotonic count and the wall clock move together. */
  public ManualClock advance(Duration d) {
    nanos += d.toNanos();
    wall = wall.plus(d);
    return this;
  }

  /** The wall clock is stepped (NTP, an operator, a VM resumed); monotonic time does not move. */
  public ManualClock stepWall(Duration d) {
    wall = wall.plus(d);
    return this;
  }

  @Override
  public long nanos() {
    return nanos;
  }

  @Override
  public Instant wall() {
    return wall;
  }
}

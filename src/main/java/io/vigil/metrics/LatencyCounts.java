package io.vigil.metrics;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * One latency histogram: a count per bucket, the sum, and the largest value of the last 80 to 120
 * seconds (three slots rotated every 40 s, as Micrometer's timers keep theirs). Recorded from one
 * thread, read from another; each value is atomic, and a reading takes the total from the buckets
 * it reads, so {@code _count} always equals the {@code +Inf} bucket.
 */
final class LatencyCounts {
  static final long ROTATE_NANOS = TimeUnit.SECONDS.toNanos(40);
  private static final int SLOTS = 3;

  private final long[] boundNanos;
  private final double[] boundSeconds;
  /** Per bucket, not cumulative; the last one counts what is above every bound. */
  private final AtomicLongArray counts;
  private final AtomicLong sumNanos = new AtomicLong();
  private final LongSupplier nanoTime;
  private final long[] maxSlots = new long[SLOTS];
  private int current;
  private long rotatedAt;

  LatencyCounts(List<Duration> bounds, LongSupplier nanoTime) {
    this.boundNanos = bounds.stream().mapToLong(Duration::toNanos).toArray();
    this.boundSeconds = bounds.stream().mapToDouble(b -> b.toNanos() / 1e9).toArray();
    this.counts = new AtomicLongArray(boundNanos.length + 1);
    this.nanoTime = nanoTime;
    this.rotatedAt = nanoTime.getAsLong();
  }

  void record(Duration latency) {
    long nanos = Math.max(0, latency.toNanos());
    int i = 0;
    while (i < boundNanos.length && nanos > boundNanos[i]) {
      i++;
    }
    counts.incrementAndGet(i);
    sumNanos.addAndGet(nanos);
    synchronized (maxSlots) {
      rotate();
      for (int s = 0; s < SLOTS; s++) {
        maxSlots[s] = Math.max(maxSlots[s], nanos);
      }
    }
  }

  double[] bounds() {
    return boundSeconds;
  }

  /** Fills {@code cumulative} (bounds + 1 entries) and returns the sum in seconds. */
  double read(long[] cumulative) {
    long running = 0;
    for (int i = 0; i < cumulative.length; i++) {
      running += counts.get(i);
      cumulative[i] = running;
    }
    return sumNanos.get() / 1e9;
  }

  /** The largest latency of the last one to two minutes, in seconds; 0 when none. */
  double max() {
    synchronized (maxSlots) {
      rotate();
      return maxSlots[current] / 1e9;
    }
  }

  /** Each rotation empties the slot read so far and reads the next: 80 s of filling, read for 40 s. */
  private void rotate() {
    long now = nanoTime.getAsLong();
    for (int n = 0; n < SLOTS && now - rotatedAt >= ROTATE_NANOS; n++) {
      maxSlots[current] = 0;
      current = (current + 1) % SLOTS;
      rotatedAt += ROTATE_NANOS;
    }
    if (now - rotatedAt >= ROTATE_NANOS) { // idle for longer than every slot: all are empty now
      rotatedAt = now;
    }
  }
}

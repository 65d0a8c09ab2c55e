package io.vigil.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Buckets (a value on a bound counts in it), the sum, and a max that forgets after 80 to 120 s. */
class LatencyCountsTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final LatencyCounts counts = new LatencyCounts(List.of(Duration.ofMillis(10), Duration.ofMillis(100)), now::get);

  @Test
  void aValueOnABoundCountsInThatBucketAndTheTotalIsTheLastBucket() {
    counts.record(Duration.ofMillis(10));
    counts.record(Duration.ofMillis(11));
    counts.record(Duration.ofSeconds(3));
    long[] cumulative = new long[3];
    assertEquals(3.021, counts.read(cumulative), 1e-9);
    assertArrayEquals(new long[] {1, 2, 3}, cumulative);
    assertArrayEquals(new double[] {0.01, 0.1}, counts.bounds());
  }

  @Test
  void theMaxIsKeptForEightySecondsAndForgottenWithinTwoMinutes() {
    counts.record(Duration.ofMillis(700));
    advance(79);
    assertEquals(0.7, counts.max(), 1e-9);
    counts.record(Duration.ofMillis(200));
    advance(42); // 121 s after the 700 ms
    assertEquals(0.2, counts.max(), 1e-9, "700 ms forgotten, 200 ms (42 s old) kept");
    advance(600);
    assertEquals(0.0, counts.max(), "nothing recorded for ten minutes");
    counts.record(Duration.ofMillis(5));
    assertEquals(0.005, counts.max(), 1e-9);
  }

  @Test
  void rotationsFallOnExactMultiplesOfFortySeconds() {
    counts.record(Duration.ofMillis(700));
    advance(80);
    counts.record(Duration.ofMillis(200));
    assertEquals(0.7, counts.max(), 1e-9, "at 80 s two rotations ran; the slot read now has filled since the start");
    advance(40);
    assertEquals(0.2, counts.max(), 1e-9, "at 120 s the 700 ms is gone");
  }

  @Test
  void aRecordAfterALongIdleForgetsWhatCameBefore() {
    counts.record(Duration.ofMillis(700));
    advance(600);
    counts.record(Duration.ofMillis(5));
    assertEquals(0.005, counts.max(), 1e-9);
  }

  private void advance(long seconds) {
    now.addAndGet(Duration.ofSeconds(seconds).toNanos());
  }
}

package io.vigil.model;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The shape of {@code vigil_check_duration_seconds}: one histogram per check (the default), one per
 * check type, or none; and its bucket bounds. Each bucket is a series: with the default twelve
 * buckets a histogram is 16 series, so at 10,000 checks per-check histograms are 160,000 of them.
 */
public record LatencyHistogram(Scope scope, List<Duration> buckets) {
  /** Where the histogram's series are kept. */
  public enum Scope {
    PER_CHECK, PER_TYPE, OFF;

    /** How the config writes it: {@code per-check}, {@code per-type}, {@code off}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The scope whose {@link #label()} is {@code label}. */
    public static Scope ofLabel(String label) {
      return Arrays.stream(values()).filter(s -> s.label().equals(label)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no latency-histogram scope \"" + label + "\""));
    }
  }

  public static final List<Duration> DEFAULT_BUCKETS = List.of(
      Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10));

  public static final LatencyHistogram DEFAULT = new LatencyHistogram(Scope.PER_CHECK, DEFAULT_BUCKETS);

  public LatencyHistogram {
    buckets = List.copyOf(buckets);
    for (int i = 0; i < buckets.size(); i++) {
      if (buckets.get(i).isNegative() || buckets.get(i).isZero()
          || i > 0 && buckets.get(i).compareTo(buckets.get(i - 1)) <= 0) {
        throw new IllegalArgumentException("buckets must be positive and ascending: " + buckets);
      }
    }
    if (scope != Scope.OFF && buckets.isEmpty()) {
      throw new IllegalArgumentException("a histogram needs at least one bucket");
    }
  }
}

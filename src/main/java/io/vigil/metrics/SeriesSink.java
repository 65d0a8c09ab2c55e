package io.vigil.metrics;

/**
 * Where the series of the checks are written, one family at a time: a text exposition, Prometheus
 * client snapshots or JSON. {@code labels} are name, value pairs in name order; the arrays are the
 * sink's to keep only for the duration of the call.
 */
public interface SeriesSink {
  /** The series of {@code family} follow, until the next call of this. */
  void family(Family family);

  /** One series of a gauge or counter. */
  void sample(String[] labels, double value);

  /**
   * One histogram: {@code cumulative[i]} observations at most {@code bounds[i]} seconds, its last
   * entry (one more than the bounds) all of them; {@code sum} in seconds.
   */
  void histogram(String[] labels, double[] bounds, long[] cumulative, double sum);
}

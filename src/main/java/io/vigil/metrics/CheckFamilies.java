package io.vigil.metrics;

/** The per-check series of a monitor, written on demand (see {@link CheckMetrics}). */
@FunctionalInterface
public interface CheckFamilies {
  /** No checks: writes nothing. */
  CheckFamilies NONE = sink -> {};

  /** Writes every family, in {@link Family} order; a family with no series may be announced or not. */
  void writeTo(SeriesSink sink);
}

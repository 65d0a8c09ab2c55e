package io.vigil.model;

/** The state of the whole platform as the board sees it. */
public enum OverallState {
  UP, DEGRADED, DOWN, UNKNOWN;

  /** Whether {@code /health} answers 200 for this state. */
  public boolean healthy() {
    return this == UP || this == DEGRADED;
  }
}

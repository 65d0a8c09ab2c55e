package io.vigil.status;

/** The state of one check after thresholds: UP, DOWN, or UNKNOWN (no fresh result). */
public enum CheckState { UP, DOWN, UNKNOWN }

package io.vigil.model;

/** The state of one check after thresholds: UP, DOWN, or UNKNOWN (no fresh result). */
public enum CheckState { UP, DOWN, UNKNOWN }

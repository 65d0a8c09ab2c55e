package io.vigil.model;

/**
 * The state of one check as every output shows it ({@code /health} data, result events, SSE, the
 * {@code vigil_check_state} metric): the threshold state, with UP split into UP and DEGRADED (UP,
 * but its latest probes failed below the failure threshold).
 */
public enum DisplayState { UP, DEGRADED, DOWN, UNKNOWN }

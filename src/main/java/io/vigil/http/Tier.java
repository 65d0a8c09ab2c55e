package io.vigil.http;

/**
 * How much of a check one caller may see ({@code server.details}). Every path (probes with
 * {@code ?verbose}, {@code /health} in each format, {@code /health/checks/{name}}, {@code /events})
 * renders per tier, so an anonymous caller in {@code authorized} mode never sees more than names and states.
 */
enum Tier {
  /** Names, states and everything else: data, reason, message, cause, latency. */
  FULL,
  /** Names and states only. */
  NAMES_AND_STATES
}

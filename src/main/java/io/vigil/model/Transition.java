package io.vigil.model;

import java.time.Instant;

/**
 * A state change of one check, or of the whole ({@code check} = {@value #OVERALL}); {@code from}
 * and {@code to} are state names.
 */
public record Transition(String check, String from, String to, Reason reason, String cause, Instant at, long seq) {
  public static final String OVERALL = "*";
}

package io.vigil.model;

import java.util.Locale;

/**
 * Why a probe failed: the one fixed list shared by JSON, events and metric labels (README,
 * "Endpoints"). Labels are lower-case so they can be used as metric label values as they are.
 */
public enum Reason {
  TIMEOUT, CONNECTION_REFUSED, DNS, TLS, AUTH, HTTP_STATUS, ASSERTION, PROTOCOL, UNAVAILABLE,
  DEPENDENCY, INTERNAL;

  /** The label used in JSON, events and metrics, e.g. {@code connection_refused}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a label written by {@link #label()}; null for null. */
  public static Reason fromLabel(String label) {
    return label == null ? null : valueOf(label.toUpperCase(Locale.ROOT));
  }
}

package io.vigil.model;

import java.util.Locale;

/** How urgent a DOWN check is: a critical check pages, the others warn. Ordered: WARNING below CRITICAL. */
public enum Severity {
  WARNING, CRITICAL;

  /** The severity of a check of that criticality. */
  public static Severity of(boolean critical) {
    return critical ? CRITICAL : WARNING;
  }

  /** The label used in config, notifications and alert labels: {@code warning}, {@code critical}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean atLeast(Severity other) {
    return compareTo(other) >= 0;
  }
}

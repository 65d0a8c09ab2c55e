package io.vigil.faults;

import java.util.List;
import java.util.Locale;

/** What the fault matrix breaks: the platform's API and worker (HTTP), Redis and PostgreSQL. */
enum Target {
  API, WORKER, REDIS, POSTGRES;

  /** The check's name, and the first label of its host name ({@code api.vigil.test}). */
  String check() {
    return name().toLowerCase(Locale.ROOT);
  }

  String host() {
    return check() + ".vigil.test";
  }

  /** A DOWN critical check makes the monitor unready; the worker is not critical. */
  boolean critical() {
    return this != WORKER;
  }

  /** The checks of the target's lane that depend on it: they must read {@code dependency}, cause this. */
  List<String> dependents() {
    return switch (this) {
      case REDIS -> List.of("api", "worker");
      case POSTGRES -> List.of("api");
      default -> List.of();
    };
  }
}

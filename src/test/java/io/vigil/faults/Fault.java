package io.vigil.faults;

import io.vigil.model.Reason;
import java.util.Set;

/** The faults of the matrix, with the reasons a check must give for each. */
enum Fault {
  REFUSED, BLACKHOLE, SLOW, WRONG_ANSWER, RESTART, DNS;

  /**
   * The target accepts and then never answers in time: every probe times out, so every probe must
   * end its connection and the next one open a new one.
   */
  boolean hangs() {
    return this == BLACKHOLE || this == SLOW;
  }

  /** Reasons accepted when the check turns DOWN. */
  Set<Reason> detected(Target t) {
    // A restart first cuts the open connections (unavailable), then refuses new ones.
    return this == RESTART ? Set.of(Reason.CONNECTION_REFUSED, Reason.UNAVAILABLE) : held(t);
  }

  /** The reason every result must give while the fault is held, after it was detected. */
  Set<Reason> held(Target t) {
    return switch (this) {
      case REFUSED, RESTART -> Set.of(Reason.CONNECTION_REFUSED);
      case BLACKHOLE, SLOW -> Set.of(Reason.TIMEOUT);
      case DNS -> Set.of(Reason.DNS);
      case WRONG_ANSWER -> switch (t) {
        case API -> Set.of(Reason.HTTP_STATUS);
        case WORKER -> Set.of(Reason.ASSERTION);
        default -> Set.of(Reason.PROTOCOL);
      };
    };
  }
}

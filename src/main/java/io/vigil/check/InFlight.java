package io.vigil.check;

import java.util.function.Consumer;

/**
 * What one probe in flight holds (an HTTP request, a socket), so that {@link Check#abort()} can end
 * it: at once when it is held, or as soon as it arrives when the abort came first (a connection that
 * completes after the timeout must not be kept, or a slow target would collect them).
 */
final class InFlight<T> {
  private final Consumer<T> end;
  private final Consumer<T> endLate;
  private T held;
  private boolean aborted;

  /** {@code end} ends a held resource on abort; {@code endLate} one that arrives after the abort. */
  InFlight(Consumer<T> end, Consumer<T> endLate) {
    this.end = end;
    this.endLate = endLate;
  }

  /** Holds {@code resource}; false, and {@code resource} ended, when the probe was aborted already. */
  boolean attach(T resource) {
    boolean late;
    synchronized (this) {
      held = resource;
      late = aborted;
    }
    if (late) {
      endLate.accept(resource);
    }
    return !late;
  }

  /** Ends what is held, if anything, and whatever is attached from now on. */
  void abort() {
    T resource;
    synchronized (this) {
      aborted = true;
      resource = held;
    }
    if (resource != null) {
      end.accept(resource);
    }
  }
}

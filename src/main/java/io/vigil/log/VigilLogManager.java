package io.vigil.log;

import java.util.logging.LogManager;

/**
 * A JUL {@code LogManager} that ignores the reset JUL's own shutdown hook performs, so the last
 * lines of a graceful shutdown ({@code STOPPED}) are still written. Installed by {@code Vigil.main}
 * through {@code java.util.logging.manager} before any logger exists.
 */
public final class VigilLogManager extends LogManager {
  @Override
  public void reset() {
    // Deliberately empty: JUL calls this from a JVM shutdown hook, racing our own shutdown.
  }
}

package io.vigil.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails any test during which Vert.x reported a blocked thread. Registered for every test through
 * JUnit's extension auto-detection (see junit-platform.properties), so no test can forget it.
 */
public final class BlockedThreadGuard implements BeforeEachCallback, AfterEachCallback {
  /** The logger Vert.x 5.0 writes "Thread ... has been blocked" warnings to. */
  public static final String LOGGER = "io.vertx.core.impl.BlockedThreadChecker";

  private static final List<String> WARNINGS = new CopyOnWriteArrayList<>();
  // Held strongly: JUL keeps loggers weakly, and a collected logger would lose our handler.
  private static final Logger VERTX_LOGGER = Logger.getLogger(LOGGER);

  static {
    VERTX_LOGGER.addHandler(new Handler() {
      @Override
      public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
          WARNINGS.add(String.valueOf(record.getMessage()));
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    });
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    WARNINGS.clear();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (!WARNINGS.isEmpty()) {
      List<String> seen = List.copyOf(WARNINGS);
      WARNINGS.clear();
      throw new AssertionError("Vert.x reported a blocked thread during this test: " + seen);
    }
  }

  /** Warnings seen since the current test began. */
  public static List<String> warnings() {
    return List.copyOf(WARNINGS);
  }
}

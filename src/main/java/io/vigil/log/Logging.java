package io.vigil.log;

import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/** Sets up JUL for the {@code vigil} program: one line per record on stderr, flushed each time. */
public final class Logging {
  private Logging() {}

  /** Must run before any logger is created, so that {@link VigilLogManager} is the manager. */
  public static void install() {
    System.setProperty("java.util.logging.manager", VigilLogManager.class.getName());
    Logger root = LogManager.getLogManager().getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    ConsoleHandler console = new ConsoleHandler(); // stderr, flushed after every record
    console.setFormatter(new LineFormatter());
    console.setLevel(Level.ALL);
    root.addHandler(console);
    root.setLevel(Level.INFO);
    // Netty logs at DEBUG what it cannot tune on this platform; nothing an operator acts on.
    Logger.getLogger("io.netty").setLevel(Level.WARNING);
    // Hazelcast tells at INFO each step of a join and every partition migration (dozens of lines per
    // membership change); vigil.cluster logs the joins and leaves an operator needs.
    HAZELCAST.setLevel(Level.WARNING);
    // vertx-micrometer 5.0 registers one HTTP server gauge twice; Micrometer warns once and ignores
    // the second. Harmless, but a WARN at every start teaches operators to ignore warnings.
    MICROMETER.setFilter(r -> r.getMessage() == null || !r.getMessage().contains("has been already registered"));
  }

  private static final Logger HAZELCAST = Logger.getLogger("com.hazelcast");
  private static final Logger MICROMETER = Logger.getLogger("io.micrometer.core.instrument.MeterRegistry");
}

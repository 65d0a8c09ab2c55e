package io.vigil.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails any test during which Vert.x reported a blocked thread, in this JVM or in a child process
 * the test started ({@link #watch}). Registered for every test through JUnit's extension
 * auto-detection (see junit-platform.properties), so no test can forget it; the limit is
 * {@link BlockedThreadGuardOptions#MAX_EVENT_LOOP_EXECUTE}, set on every Vert.x of the test JVM.
 *
 * <p>A warning is charged to the next check after it: the test that was running, or the first test
 * of a class whose {@code @BeforeAll} blocked; what a class's {@code @AfterAll} blocked fails the class.
 * Nothing is dropped between tests. Two exceptions, both for a cold JVM's class loading, not for
 * code: the test JVM is warmed up once before its first test ({@link BlockedThreadGuardWarmUp}),
 * and a child's warnings from before it logs {@code lifecycle phase=READY} are logged, not failed.
 *
 * <p>A warning of this JVM is judged by the time the loop really ran: the time Vert.x reports less
 * the time the whole JVM stood still meanwhile ({@link MachineStalls}: a loaded machine gave the
 * CPU away, or a GC paused every thread). On a CI host shared with other work both event loops were
 * seen "blocked" 260 ms at once in a StringBuilder and a queue allocation. A child's warning is
 * judged by the same stalls, placed by the instant its log line carries (the same machine). A
 * warning whose top frames are in class loading is logged, not failed (the cold-JVM allowance). A loop
 * that keeps its thread busy is still failed however loaded the machine: its own work is not a stall.
 */
public final class BlockedThreadGuard implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
  /** The logger Vert.x 5.0 writes "Thread ... has been blocked" warnings to. */
  public static final String LOGGER = "io.vertx.core.impl.BlockedThreadChecker";

  private static final Pattern BLOCKED_FOR = Pattern.compile("blocked for (\\d+) ms");
  /** A blocked loop's top frames inside the JVM's class loading. */
  private static final Pattern CLASS_LOADING = Pattern.compile(" at .*(ClassLoader\\.defineClass|ClassLoader\\.loadClass)");

  /** A warning, when it was logged, and how long Vert.x says the loop was blocked (-1: not known, never excused). */
  private record Warning(String text, long atNanos, long blockedMs) {}

  private static final List<Warning> WARNINGS = new CopyOnWriteArrayList<>();
  private static final List<Child> CHILDREN = new CopyOnWriteArrayList<>();
  // Held strongly: JUL keeps loggers weakly, and a collected logger would lose our handler.
  private static final Logger VERTX_LOGGER = Logger.getLogger(LOGGER);
  private static final Logger LOG = Logger.getLogger(BlockedThreadGuard.class.getName());
  private static final String READY = "lifecycle phase=READY";

  static {
    MachineStalls.watched();
    VERTX_LOGGER.addHandler(new Handler() {
      @Override
      public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
          WARNINGS.add(new Warning(record.getMessage() + where(record.getThrown()), System.nanoTime(),
              blockedMs(String.valueOf(record.getMessage()))));
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    });
  }

  /** A child process whose output is scanned; {@code scanned} lines were read already. */
  private static final class Child {
    final Process process;
    final Supplier<List<String>> output;
    int scanned;
    boolean deadAtLastScan;
    boolean ready;
    int startupWarnings;

    Child(Process process, Supplier<List<String>> output) {
      this.process = process;
      this.output = output;
    }
  }

  /**
   * Scans a child process's output (the lines collected so far) for Vert.x blocked-thread warnings
   * at every check, until the process has exited and its last lines were read.
   */
  public static void watch(Process process, Supplier<List<String>> output) {
    CHILDREN.add(new Child(process, output));
  }

  /** How long a blocked-thread warning says the loop was blocked, in ms; -1 when it does not say. */
  static long blockedMs(String warning) {
    Matcher m = BLOCKED_FOR.matcher(warning);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  /** The blocked thread's top frames (Vert.x attaches its stack once it is over the warning time). */
  private static String where(Throwable stack) {
    if (stack == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(" at");
    StackTraceElement[] frames = stack.getStackTrace();
    for (int i = 0; i < Math.min(12, frames.length); i++) {
      b.append(i == 0 ? " " : " < ").append(frames[i]);
    }
    return b.toString();
  }

  /** True for a blocked-thread warning as Vigil's log formatter writes it in a child's output. */
  static boolean isBlockedThreadLine(String line) {
    return line.contains("BlockedThreadChecker") && line.contains("has been blocked");
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    BlockedThreadGuardWarmUp.once();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    failIfAny("during this test");
  }

  @Override
  public void afterAll(ExtensionContext context) {
    failIfAny("after the last test of this class (@AfterAll, or a Vert.x still closing)");
  }

  private static void failIfAny(String when) {
    List<String> seen = takeWarnings();
    if (!seen.isEmpty()) {
      throw new AssertionError("Vert.x reported a blocked thread " + when + " (limit "
          + BlockedThreadGuardOptions.MAX_EVENT_LOOP_EXECUTE.toMillis() + " ms): " + seen);
    }
  }

  /** Warnings seen since the last check, in this JVM and in watched children; does not clear them. */
  public static synchronized List<String> warnings() {
    scanChildren();
    return WARNINGS.stream().filter(BlockedThreadGuard::charged).map(Warning::text).toList();
  }

  /** Returns and clears the warnings seen: for a test that blocks a loop on purpose. */
  public static synchronized List<String> takeWarnings() {
    scanChildren();
    List<Warning> seen = new ArrayList<>(WARNINGS);
    WARNINGS.removeAll(seen);
    return seen.stream().filter(BlockedThreadGuard::charged).map(Warning::text).toList();
  }

  /**
   * Whether the loop itself ran past the limit: the blocked time less the JVM's stalls within it.
   * Judged when the warnings are taken, after the test, so the watchdog has recorded a stall that
   * was still under way when Vert.x logged.
   */
  private static boolean charged(Warning w) {
    if (w.blockedMs < 0) {
      return true;
    }
    if (CLASS_LOADING.matcher(w.text).find()) {
      // The JVM reading a class from its jar the first time (seen 270 ms on a starved core): the
      // cold-JVM allowance of the warm-up, for a class the warm-up did not reach.
      LOG.info("not charged: class loading (" + w.text + ")");
      return false;
    }
    long blockedNanos = TimeUnit.MILLISECONDS.toNanos(w.blockedMs);
    long stalled = MachineStalls.watched().stalledWithin(w.atNanos - blockedNanos, w.atNanos);
    if (blockedNanos - stalled > BlockedThreadGuardOptions.MAX_EVENT_LOOP_EXECUTE.toNanos()) {
      return true;
    }
    LOG.info("not charged: the JVM stood still " + TimeUnit.NANOSECONDS.toMillis(stalled) + " ms of it (" + w.text + ")");
    return false;
  }

  /**
   * A child's warning, placed on this JVM's clock by the instant its line starts with: the child
   * runs on the same machine, so a stall the watchdog saw here (the CPU given away) held it too.
   * A line without a readable instant is never excused.
   */
  private static Warning childWarning(Child c, String line) {
    String text = "child pid " + c.process.pid() + ": " + line;
    int space = line.indexOf(' ');
    try {
      long agoMs = System.currentTimeMillis() - java.time.Instant.parse(line.substring(0, Math.max(0, space))).toEpochMilli();
      return new Warning(text, System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(agoMs), blockedMs(line));
    } catch (java.time.format.DateTimeParseException e) {
      return new Warning(text, System.nanoTime(), -1);
    }
  }

  private static void scanChildren() {
    for (Child c : CHILDREN) {
      boolean dead = !c.process.isAlive();
      List<String> lines = c.output.get();
      for (int i = c.scanned; i < lines.size(); i++) {
        String line = lines.get(i);
        if (!c.ready && line.contains(READY)) {
          c.ready = true;
          LOG.info("child pid=" + c.process.pid() + " ready; blocked-thread warnings before READY (cold JVM, not failed): "
              + c.startupWarnings);
        } else if (isBlockedThreadLine(line)) {
          if (c.ready) {
            WARNINGS.add(childWarning(c, line));
          } else {
            c.startupWarnings++;
          }
        }
      }
      c.scanned = lines.size();
      // Dead at two scans in a row: its reader has had time to collect the last lines.
      if (dead && c.deadAtLastScan) {
        CHILDREN.remove(c);
      }
      c.deadAtLastScan = dead;
    }
  }
}

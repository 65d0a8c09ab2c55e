package io.vigil.testsupport;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * What the private-server fixtures share: their temp dirs (each marked with the pid of the JVM that
 * owns it), one JVM shutdown hook that closes whatever a test left open, the reaping of servers a
 * killed test JVM left behind, and small process and port helpers. Test code only, never called on an
 * event loop: everything here blocks.
 */
final class PrivateFixtures {
  private static final Logger LOG = Logger.getLogger(PrivateFixtures.class.getName());
  private static final String OWNER = "owner.pid";
  private static final ProcessBuilder.Redirect DEV_NULL = ProcessBuilder.Redirect.from(new File("/dev/null"));
  private static final Set<AutoCloseable> OPEN = ConcurrentHashMap.newKeySet();

  static {
    // One hook for every fixture: hooks run concurrently, and one is easier to reason about.
    Runtime.getRuntime().addShutdownHook(new Thread(PrivateFixtures::closeAll, "private-fixtures-cleanup"));
  }

  private PrivateFixtures() {}

  /** Closes {@code fixture} when the JVM exits, unless {@link #forget} was called first. */
  static void closeOnExit(AutoCloseable fixture) {
    OPEN.add(fixture);
  }

  static void forget(AutoCloseable fixture) {
    OPEN.remove(fixture);
  }

  private static void closeAll() {
    for (AutoCloseable c : List.copyOf(OPEN)) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.log(Level.WARNING, "fixture cleanup failed fixture=" + c, e);
      }
    }
  }

  /** A fresh {@code /tmp/vigil-private-KIND-*} directory, marked as owned by this JVM. */
  static Path newDir(String kind) throws IOException {
    Path dir = Files.createTempDirectory("vigil-private-" + kind + "-");
    Files.writeString(dir.resolve(OWNER), Long.toString(ProcessHandle.current().pid()));
    return dir;
  }

  /**
   * Hands each {@code vigil-private-KIND-*} directory whose owning JVM is gone (killed before its hook ran)
   * to {@code cleaner}, which stops what still runs there, then deletes it. Directories of live JVMs,
   * including other builds running in parallel, are left alone.
   */
  static void reapOrphans(String kind, Consumer<Path> cleaner) {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, "vigil-private-" + kind + "-*")) {
      for (Path dir : dirs) {
        Optional<Long> owner = readPid(dir.resolve(OWNER));
        if (owner.isPresent() && !alive(owner.get())) {
          LOG.info("reaping orphan fixture dir=" + dir + " ownerPid=" + owner.get());
          try {
            cleaner.accept(dir);
          } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "orphan cleanup failed dir=" + dir, e);
          }
          deleteTree(dir);
        }
      }
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot scan " + tmp + " for orphan fixtures", e);
    }
  }

  /** The pid on the first line of {@code file}, when there is one. */
  static Optional<Long> readPid(Path file) {
    try {
      String first = Files.readAllLines(file, StandardCharsets.UTF_8).stream().findFirst().orElse("").trim();
      return first.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(first));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** Whether a live process {@code pid} runs a command whose path contains {@code name}. */
  static boolean runs(long pid, String name) {
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
        .flatMap(p -> p.info().command()).map(c -> c.contains(name)).orElse(false);
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot delete " + dir, e);
    }
  }

  /** The result of a finished command: its exit status and its merged output. */
  record Ran(List<String> command, int exit, String output) {
    boolean ok() {
      return exit == 0;
    }

    String describe() {
      return String.join(" ", command) + " exited with " + exit + ": " + output.strip();
    }
  }

  /**
   * Runs a command to its end with output merged into {@code log} (a file, not a pipe: a daemon it
   * starts may keep a pipe open forever); kills it after {@code timeout}.
   */
  static Ran run(Path dir, Path log, Duration timeout, List<String> command) {
    try {
      Process p = new ProcessBuilder(command).directory(dir.toFile())
          .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(DEV_NULL).start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        return new Ran(command, -1, "(killed after " + timeout.toMillis() + " ms) " + tail(log, 4000));
      }
      return new Ran(command, p.exitValue(), tail(log, 4000));
    } catch (IOException e) {
      return new Ran(command, -1, "cannot run: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Ran(command, -1, "interrupted");
    }
  }

  /** Whether this JVM runs as root (then servers that refuse root run as another user). */
  static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  /**
   * {@code command} prefixed so that it runs as {@code user} when we are root (PostgreSQL refuses to
   * run as root); as it is otherwise, under the user running the tests.
   */
  static List<String> as(String user, List<String> command) {
    if (!root()) {
      return command;
    }
    List<String> all = new ArrayList<>(List.of("runuser", "-u", user, "--"));
    all.addAll(command);
    return all;
  }

  /** The last {@code max} characters of a file, or a note saying why there are none. */
  static String tail(Path file, int max) {
    try {
      String s = Files.readString(file, StandardCharsets.UTF_8);
      return s.length() <= max ? s : "..." + s.substring(s.length() - max);
    } catch (IOException e) {
      return "(no " + file + ": " + e.getMessage() + ")";
    }
  }

  /** The size of {@code file} now (0 when missing): where a later {@link #since} starts. */
  static long size(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /** What was appended to {@code file} after {@code offset} (its last 8000 characters). */
  static String since(Path file, long offset) {
    try {
      byte[] all = Files.readAllBytes(file);
      int from = (int) Math.min(offset, all.length);
      String s = new String(all, from, all.length - from, StandardCharsets.UTF_8);
      return s.length() <= 8000 ? s : "..." + s.substring(s.length() - 8000);
    } catch (IOException e) {
      return "(no " + file + ": " + e.getMessage() + ")";
    }
  }

  static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Waits until nothing accepts on 127.0.0.1:{@code port}; fails with {@code context} after {@code timeout}. */
  static void awaitClosed(int port, Duration timeout, Supplier<String> context) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (accepts(port)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("port " + port + " still accepts connections " + timeout.toMillis()
            + " ms after the stop: " + context.get());
      }
      sleep(20);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Fails fast where a blocking fixture call would stall an event loop (and trip BlockedThreadGuard). */
  static void notOnEventLoop(String what) {
    if (io.vertx.core.Context.isOnEventLoopThread()) {
      throw new IllegalStateException(what + " blocks: call it from the test thread or executeBlocking, not an event loop");
    }
  }
}

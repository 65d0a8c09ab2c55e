package io.vigil.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * A private {@code redis-server} run by the test as a child process: 127.0.0.1 only, a free port
 * below the ephemeral range (see {@link TestPorts}), no persistence, optionally a password. It can be
 * stopped (connections are then refused) and started again on the same port. Every method blocks:
 * call it from the test thread (or executeBlocking), never an event loop.
 */
public final class PrivateRedis implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(PrivateRedis.class.getName());
  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

  private final Path dir;
  private final Path log;
  private final String password;
  private int port;
  private Process process;
  private boolean closed;

  private PrivateRedis(Path dir, String password) {
    this.dir = dir;
    this.log = dir.resolve("redis.log");
    this.password = password;
  }

  /** A running Redis with no password. */
  public static PrivateRedis launch() {
    return launch(null);
  }

  /** A running Redis with {@code --requirepass password} ({@code null}: none). */
  public static PrivateRedis launch(String password) {
    PrivateFixtures.notOnEventLoop("PrivateRedis.launch");
    if (password != null && (password.isEmpty() || password.matches(".*[\\s\"'].*"))) {
      throw new IllegalArgumentException("the password must be non-empty, without spaces or quotes");
    }
    PrivateFixtures.reapOrphans("redis", PrivateRedis::killOrphan);
    PrivateRedis redis;
    try {
      redis = new PrivateRedis(PrivateFixtures.newDir("redis"), password);
    } catch (IOException e) {
      throw new IllegalStateException("cannot make a temp dir for Redis", e);
    }
    PrivateFixtures.closeOnExit(redis);
    try {
      redis.startOnFreePort();
    } catch (RuntimeException e) {
      redis.close();
      throw e;
    }
    LOG.info("private-redis started port=" + redis.port + " pid=" + redis.process.pid());
    return redis;
  }

  /** {@code redis://127.0.0.1:PORT}, without the password: see {@link #password()}. */
  public synchronized String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** {@code redis://:PASSWORD@127.0.0.1:PORT} (the same as {@link #uri()} when there is no password). */
  public synchronized String uriWithPassword() {
    return password == null ? uri() : "redis://:" + password + "@127.0.0.1:" + port;
  }

  /** The {@code --requirepass} value, or {@code null}. */
  public String password() {
    return password;
  }

  /** The TCP port; the same across {@link #stop()} and {@link #start()}. */
  public synchronized int port() {
    return port;
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** The server's output, for assertion messages. */
  public String serverLog() {
    return PrivateFixtures.tail(log, 8000);
  }

  /** Starts the stopped server again on the same port and waits until it accepts connections. */
  public synchronized void start() {
    PrivateFixtures.notOnEventLoop("PrivateRedis.start");
    if (closed) {
      throw new IllegalStateException("this Redis was closed");
    }
    if (isRunning()) {
      throw new IllegalStateException("Redis already runs on port " + port);
    }
    long offset = PrivateFixtures.size(log);
    String failure = startOn(port);
    if (failure != null) {
      String since = PrivateFixtures.since(log, offset);
      throw new IllegalStateException("Redis did not start again on 127.0.0.1:" + port
          + (since.contains("Address already in use") ? " (another process took the port while it was stopped)" : "")
          + ": " + failure + "\nserver output:\n" + since);
    }
  }

  /** Kills the server (SIGTERM, then SIGKILL after 5 s) and returns once the port refuses connections. */
  public synchronized void stop() {
    PrivateFixtures.notOnEventLoop("PrivateRedis.stop");
    if (process == null) {
      return;
    }
    kill(process);
    process = null;
    PrivateFixtures.awaitClosed(port, Duration.ofSeconds(5), this::serverLog);
  }

  /** {@link #stop()} then {@link #start()}: the same port, an empty dataset. */
  public synchronized void restart() {
    stop();
    start();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (process != null) {
        kill(process);
        process = null;
      }
    } finally {
      PrivateFixtures.deleteTree(dir);
      PrivateFixtures.forget(this);
    }
  }

  /** The fixture's temp dir (deleted by {@link #close()}). */
  Path dir() {
    return dir;
  }

  @Override
  public String toString() {
    return "PrivateRedis[port=" + port + ", dir=" + dir + "]";
  }

  private void startOnFreePort() {
    String last = "";
    for (int attempt = 0; attempt < 5; attempt++) {
      long offset = PrivateFixtures.size(log);
      String failure = startOn(TestPorts.closed());
      if (failure == null) {
        return;
      }
      last = failure + "\nserver output:\n" + PrivateFixtures.since(log, offset);
      if (!last.contains("Address already in use")) {
        break;
      }
    }
    throw new IllegalStateException("redis-server did not start: " + last);
  }

  /** Starts redis-server on {@code p}; null when it listens, else what went wrong. */
  private String startOn(int p) {
    port = p;
    List<String> cmd = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(p), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString()));
    if (password != null) {
      cmd.addAll(List.of("--requirepass", password));
    }
    try {
      process = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
      Files.writeString(dir.resolve("redis.pid"), Long.toString(process.pid()));
    } catch (IOException e) {
      process = null;
      return "cannot run redis-server (install the Debian package redis-server): " + e.getMessage();
    }
    try {
      TestPorts.awaitListening(p, process, START_TIMEOUT, () -> "");
      return null;
    } catch (AssertionError e) {
      kill(process);
      process = null;
      return e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill(process);
      process = null;
      return "interrupted";
    }
  }

  private static void kill(Process p) {
    p.destroy();
    try {
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }



  /** Kills a server whose test JVM died before it could (the dir is deleted by the caller). */
  private static void killOrphan(Path orphan) {
    Optional<Long> pid = PrivateFixtures.readPid(orphan.resolve("redis.pid"));
    if (pid.isPresent() && PrivateFixtures.runs(pid.get(), "redis")) {
      ProcessHandle.of(pid.get()).ifPresent(ProcessHandle::destroyForcibly);
    }
  }
}

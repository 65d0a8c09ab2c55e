package io.vigil.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * A private PostgreSQL cluster made by the test: {@code initdb} in a fresh temp dir (as user
 * {@code postgres} when the tests run as root, which PostgreSQL refuses), listening only on
 * 127.0.0.1 on a free port below the ephemeral range (see {@link TestPorts}), unix sockets in that
 * dir, and SCRAM-SHA-256 for every connection, so a wrong or missing password really fails. Built for speed, not durability: no fsync, small buffers.
 * Every method blocks: call it from the test thread (or executeBlocking), never an event loop.
 */
public final class PrivatePostgres implements AutoCloseable {
  /** The superuser the cluster is made with; {@link #uri()} names it. */
  public static final String USER = "postgres";
  private static final Logger LOG = Logger.getLogger(PrivatePostgres.class.getName());
  private static final Path VERSIONS = Path.of("/usr/lib/postgresql");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Path bin;
  private final Path dir;
  private final Path data;
  private final Path log;
  private final String password;
  private int port;
  private boolean running;
  private boolean closed;

  private PrivatePostgres(Path bin, Path dir, String password) {
    this.bin = bin;
    this.dir = dir;
    this.data = dir.resolve("data");
    this.log = dir.resolve("postgres.log");
    this.password = password;
  }

  /** A new cluster with a random password for {@value #USER}, started and accepting connections. */
  public static PrivatePostgres start() {
    return start("pg-" + HexFormat.of().formatHex(randomBytes(10)));
  }

  /** A new cluster whose superuser {@value #USER} has {@code password}, started and accepting connections. */
  public static PrivatePostgres start(String password) {
    PrivateFixtures.notOnEventLoop("PrivatePostgres.start");
    if (password == null || password.isEmpty() || password.contains("\n") || password.contains("\r")) {
      throw new IllegalArgumentException("the password must be one non-empty line");
    }
    Path bin = binaries();
    PrivateFixtures.reapOrphans("pg", orphan -> stopOrphan(bin, orphan));
    long t0 = System.nanoTime();
    PrivatePostgres pg;
    try {
      pg = new PrivatePostgres(bin, PrivateFixtures.newDir("pg"), password);
    } catch (IOException e) {
      throw new IllegalStateException("cannot make a temp dir for PostgreSQL", e);
    }
    PrivateFixtures.closeOnExit(pg);
    try {
      pg.init();
      pg.startOnFreePort();
    } catch (RuntimeException e) {
      pg.close();
      throw e;
    }
    LOG.info("private-postgres started port=" + pg.port + " dir=" + pg.dir + " ms=" + (System.nanoTime() - t0) / 1_000_000);
    return pg;
  }

  /** {@code postgresql://postgres@127.0.0.1:PORT/postgres}, without the password: see {@link #password()}. */
  public String uri() {
    return "postgresql://" + USER + "@127.0.0.1:" + port + "/postgres";
  }

  public String password() {
    return password;
  }

  /** The TCP port; the same across {@link #stop()} and {@link #restart()}. */
  public synchronized int port() {
    return port;
  }

  public synchronized boolean isRunning() {
    return running;
  }

  /** The end of the server's log, for assertion messages. */
  public String serverLog() {
    return PrivateFixtures.tail(log, 8000);
  }

  /** Fast shutdown ({@code pg_ctl stop -m fast}); returns once the port refuses connections. */
  public synchronized void stop() {
    PrivateFixtures.notOnEventLoop("PrivatePostgres.stop");
    if (!running) {
      return;
    }
    PrivateFixtures.Ran r = pgCtl("stop", "-m", "fast", "-w", "-t", "30");
    if (!r.ok()) {
      throw new IllegalStateException("PostgreSQL on port " + port + " did not stop: " + r.describe()
          + "\nserver log:\n" + serverLog());
    }
    running = false;
    PrivateFixtures.awaitClosed(port, Duration.ofSeconds(5), this::serverLog);
  }

  /** Stops the server if it runs, then starts it again on the same port and waits until it accepts. */
  public synchronized void restart() {
    PrivateFixtures.notOnEventLoop("PrivatePostgres.restart");
    if (closed) {
      throw new IllegalStateException("this PostgreSQL was closed");
    }
    long t0 = System.nanoTime();
    stop();
    long offset = PrivateFixtures.size(log);
    if (!startOn(port)) {
      String since = PrivateFixtures.since(log, offset);
      throw new IllegalStateException("PostgreSQL did not start again on 127.0.0.1:" + port
          + (since.contains("Address already in use") ? " (another process took the port while it was stopped)" : "")
          + "\nserver log:\n" + since);
    }
    LOG.info("private-postgres restarted port=" + port + " ms=" + (System.nanoTime() - t0) / 1_000_000);
  }

  /** Stops the server (immediately if a fast stop fails) and deletes the cluster. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (running) {
        PrivateFixtures.Ran fast = pgCtl("stop", "-m", "fast", "-w", "-t", "10");
        if (!fast.ok()) {
          pgCtl("stop", "-m", "immediate", "-w", "-t", "10");
        }
        running = false;
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
    return "PrivatePostgres[port=" + port + ", dir=" + dir + "]";
  }

  private void init() {
    try {
      chownToPostgres(dir);
      Path pwfile = dir.resolve("pwfile");
      Files.writeString(pwfile, password + "\n", StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(pwfile, PosixFilePermissions.fromString("rw-------"));
      chownToPostgres(pwfile);
      PrivateFixtures.Ran r = PrivateFixtures.run(dir, dir.resolve("initdb.log"), Duration.ofSeconds(60),
          PrivateFixtures.as(USER, List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "--no-sync",
              "--auth=scram-sha-256", "--username=" + USER, "--pwfile=" + pwfile, "--encoding=UTF8", "--locale=C")));
      Files.deleteIfExists(pwfile);
      if (!r.ok()) {
        throw new IllegalStateException("initdb failed: " + r.describe());
      }
      // Files initdb made: writing them keeps their owner, postgres.
      Files.writeString(data.resolve("pg_hba.conf"), String.join("\n",
          "# written by PrivatePostgres: a password for every connection",
          "local all all scram-sha-256",
          "host all all 127.0.0.1/32 scram-sha-256",
          ""));
      Files.writeString(data.resolve("postgresql.conf"), String.join("\n",
          "",
          "# added by PrivatePostgres (the port is given on the command line)",
          "listen_addresses = '127.0.0.1'",
          "unix_socket_directories = '" + dir + "'",
          "password_encryption = scram-sha-256",
          "fsync = off",
          "synchronous_commit = off",
          "full_page_writes = off",
          "shared_buffers = 16MB",
          "max_connections = 50",
          ""), java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new IllegalStateException("cannot prepare the PostgreSQL cluster in " + dir, e);
    }
  }

  /** Starts on a free port; picks another when someone took the chosen one between check and bind. */
  private synchronized void startOnFreePort() {
    String last = "";
    for (int attempt = 0; attempt < 5; attempt++) {
      int candidate = TestPorts.closed();
      long offset = PrivateFixtures.size(log);
      if (startOn(candidate)) {
        return;
      }
      last = PrivateFixtures.since(log, offset);
      if (!last.contains("Address already in use")) {
        break;
      }
    }
    throw new IllegalStateException("PostgreSQL did not start in " + dir + "\nserver log:\n" + last);
  }

  /** pg_ctl start -w, then pg_isready over TCP; false (with the output in the log) when it fails. */
  private boolean startOn(int p) {
    port = p;
    PrivateFixtures.Ran r = pgCtl("start", "-l", log.toString(), "-w", "-t", Long.toString(START_TIMEOUT.toSeconds()),
        "-o", "-p " + p);
    if (!r.ok()) {
      appendToLog("pg_ctl start failed: " + r.describe());
      pgCtl("stop", "-m", "immediate", "-w", "-t", "5"); // in case it came up late
      return false;
    }
    PrivateFixtures.Ran ready = PrivateFixtures.run(dir, dir.resolve("pg_isready.log"), Duration.ofSeconds(15),
        List.of(bin.resolve("pg_isready").toString(), "-h", "127.0.0.1", "-p", Integer.toString(p), "-t", "10"));
    if (!ready.ok()) {
      appendToLog("pg_ctl started the server but it does not accept on 127.0.0.1: " + ready.describe());
      pgCtl("stop", "-m", "immediate", "-w", "-t", "5");
      return false;
    }
    running = true;
    return true;
  }

  private PrivateFixtures.Ran pgCtl(String action, String... args) {
    List<String> cmd = new ArrayList<>(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString()));
    cmd.addAll(List.of(args));
    cmd.add(action);
    return PrivateFixtures.run(dir, dir.resolve("pg_ctl.log"), START_TIMEOUT.plusSeconds(15), PrivateFixtures.as(USER, cmd));
  }



  private void appendToLog(String line) {
    try {
      Files.writeString(log, "[PrivatePostgres] " + line + "\n", java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException ignored) {
      // only diagnostics
    }
  }

  /** The newest {@code /usr/lib/postgresql/N/bin} holding initdb, or {@code $VIGIL_TEST_PG_BIN}. */
  static Path binaries() {
    String named = System.getenv("VIGIL_TEST_PG_BIN");
    if (named != null && !named.isBlank()) {
      return Path.of(named);
    }
    try (Stream<Path> versions = Files.list(VERSIONS)) {
      Optional<Path> newest = versions
          .filter(v -> v.getFileName().toString().matches("\\d+"))
          .filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
          .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString())));
      return newest.map(v -> v.resolve("bin")).orElseThrow(() -> new IllegalStateException(
          "no PostgreSQL server binaries under " + VERSIONS + ": install postgresql-15 or set VIGIL_TEST_PG_BIN"));
    } catch (IOException e) {
      throw new IllegalStateException("no PostgreSQL server binaries: cannot list " + VERSIONS
          + ": install postgresql-15 or set VIGIL_TEST_PG_BIN", e);
    }
  }

  /** Stops a cluster whose test JVM died before it could (the dir is deleted by the caller). */
  private static void stopOrphan(Path bin, Path orphan) {
    Path data = orphan.resolve("data");
    Optional<Long> pid = PrivateFixtures.readPid(data.resolve("postmaster.pid"));
    if (pid.isPresent() && PrivateFixtures.runs(pid.get(), "postgres")) {
      PrivateFixtures.run(orphan, orphan.resolve("pg_ctl.log"), Duration.ofSeconds(20), PrivateFixtures.as(USER,
          List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "-t", "10", "stop")));
    }
  }

  /** As root, hands {@code p} to user postgres, who runs the server; otherwise it is already ours. */
  private static void chownToPostgres(Path p) throws IOException {
    if (!PrivateFixtures.root()) {
      return;
    }
    UserPrincipalLookupService users = p.getFileSystem().getUserPrincipalLookupService();
    PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
    view.setOwner(users.lookupPrincipalByName(USER));
    view.setGroup(users.lookupPrincipalByGroupName(USER));
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    ThreadLocalRandom.current().nextBytes(b);
    return b;
  }
}

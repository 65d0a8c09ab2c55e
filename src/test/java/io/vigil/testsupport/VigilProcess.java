package io.vigil.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Vigil as a real child process ({@code java -jar target/vigil.jar}), for tests of what only a
 * process shows: signals, exit codes, the last log lines. Its output is collected line by line.
 */
public final class VigilProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("vigil\\.http listening host=\\S+ port=(\\d+)");
  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Thread reader;
  private volatile int port = -1;

  private VigilProcess(Process process) {
    this.process = process;
    BlockedThreadGuard.watch(process, this::lines); // a child's blocked event loop fails the test too
    reader = new Thread(this::read, "vigil-child-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** The packaged jar; fails with a clear message when {@code ./mvnw package} has not run. */
  public static Path jar() {
    Path jar = Path.of("target/vigil.jar");
    if (!Files.isRegularFile(jar)) {
      throw new AssertionError("target/vigil.jar is missing: run ./mvnw verify (integration tests run after package)");
    }
    return jar;
  }

  /** Starts {@code java -jar target/vigil.jar} with {@code args}; stdout and stderr are merged. */
  public static VigilProcess start(List<String> jvmFlags, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmFlags);
    cmd.add("-jar");
    cmd.add(jar().toString());
    cmd.addAll(List.of(args));
    return start(new ProcessBuilder(cmd));
  }

  /** Runs any command that ends in the monitor (e.g. under an init process); output merged. */
  public static VigilProcess start(ProcessBuilder command) throws IOException {
    return new VigilProcess(command.redirectErrorStream(true).start());
  }

  /** Writes {@code yaml} to a temp file and runs the monitor on it. */
  public static VigilProcess run(Path dir, String yaml) throws IOException {
    Path config = dir.resolve("vigil.yaml");
    Files.writeString(config, yaml);
    return start(List.of("-Xmx256m"), "--config", config.toString());
  }

  private void read() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        lines.add(line);
        Matcher m = LISTENING.matcher(line);
        if (m.find()) {
          port = Integer.parseInt(m.group(1));
        }
      }
    } catch (IOException e) {
      lines.add("(output closed: " + e + ")");
    }
  }

  /** Waits until the HTTP listener's port is logged. */
  public int awaitPort(Duration timeout) {
    MonitorFixture.eventually(timeout, "vigil to log its port; output so far: " + lines, () -> port > 0 || !process.isAlive());
    if (port <= 0) {
      throw new AssertionError("vigil exited with " + process.exitValue() + " before listening: " + lines);
    }
    return port;
  }

  /**
   * Sends a signal with {@code kill}. {@code Process.destroy()} would send SIGTERM too, but it also
   * closes our end of the child's output, losing the very lines a shutdown test must read.
   */
  public void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new AssertionError("kill -" + name + " failed");
    }
  }

  public Process process() {
    return process;
  }

  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** Waits for exit and returns the status; fails after {@code timeout}. */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("vigil did not exit within " + timeout.toMillis() + " ms; output: " + lines);
    }
    reader.join(2000); // the pipe may still hold the last lines
    return process.exitValue();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}

package io.vigil.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.stack.Dockerfile.Stage;
import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.TestPorts;
import io.vigil.testsupport.VigilProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime stage of docker/Dockerfile run here without an engine: its ENTRYPOINT and CMD, JVM
 * flags untouched, as its USER, then its own HEALTHCHECK command. Only container paths are mapped
 * to this machine's (the init, java, /app/...), and the port, so the test cannot collide with a
 * monitor already on 9090. The stage's AppCDS training run is run first, as the build runs it, and
 * the JVM must then map its archive.
 */
class RuntimeCommandIT {
  private final Stage runtime = Dockerfile.read(Path.of("docker/Dockerfile")).runtime();

  @TempDir static Path image;

  @Test
  void entrypointRunsAsItsNonRootUserUnderTheInitAndPassesItsOwnHealthCheck() throws Exception {
    buildTheClassArchive();
    int port = TestPorts.closed();
    List<String> command = new ArrayList<>();
    for (String arg : concat(runtime.execForm("ENTRYPOINT"), runtime.execForm("CMD"))) {
      command.add(toThisMachine(arg));
    }
    String user = runtime.last("USER").orElseThrow().args();
    String[] ids = user.split(":");
    List<String> asUser = isRoot()
        ? concat(List.of("setpriv", "--reuid=" + ids[0], "--regid=" + ids[ids.length - 1], "--clear-groups", "--"), command)
        : command;
    ProcessBuilder pb = new ProcessBuilder(asUser);
    pb.environment().putAll(Map.of("VIGIL_PORT", Integer.toString(port), "VIGIL_HOST", "127.0.0.1", "VIGIL_DRAIN_DELAY", "1s"));
    try (VigilProcess vigil = VigilProcess.start(pb)) {
      assertEquals(port, vigil.awaitPort(Duration.ofSeconds(30)));
      ProcessHandle java = javaUnder(vigil.process().toHandle());
      assertEquals(ids[0], statusField(java, "Uid").split("\\s+")[0], "the JVM runs as the image's USER");
      assertTrue(java.parent().flatMap(p -> p.info().command()).orElse("").endsWith("/tini"), "the JVM is the init's child");
      String maps = Files.readString(Path.of("/proc", Long.toString(java.pid()), "maps"));
      assertTrue(maps.contains(archive().toString()), "the JVM mapped the image's class archive " + archive());

      List<String> healthCheck = healthCheckCommand(port);
      MonitorFixture.eventually(Duration.ofSeconds(20), "the HEALTHCHECK command to pass (its start period is 20 s)",
          () -> exitOf(healthCheck) == 0);

      // SIGTERM to the init, as the engine sends it to PID 1: forwarded, drained, clean exit.
      vigil.signal("TERM");
      assertEquals(0, vigil.awaitExit(Duration.ofSeconds(10)), "exit status through the init; output: " + vigil.lines());
      List<String> lines = vigil.lines();
      assertTrue(lines.get(lines.size() - 1).contains("lifecycle phase=STOPPED"), "STOPPED last: " + lines);
    }
  }

  /** The stage's RUN of docker/cds-archive.sh, its paths mapped as the ENTRYPOINT's are. */
  private void buildTheClassArchive() throws Exception {
    // Readable by the image's USER, as /app is: a JVM that cannot read its archive starts without it.
    Files.setPosixFilePermissions(image, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    String run = runtime.all("RUN").stream().map(Dockerfile.Instruction::args).filter(a -> a.contains("cds-archive.sh"))
        .findFirst().orElseThrow(() -> new AssertionError("the runtime stage builds no class archive"));
    List<String> command = new ArrayList<>();
    for (String arg : run.strip().split("\\s+")) {
      command.add(toThisMachine(arg));
    }
    // Output to a file, not a pipe read to its end: a training run that hangs fails here after 90 s.
    Path log = image.resolve("training.log");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean ended = p.waitFor(90, TimeUnit.SECONDS);
    if (!ended) {
      p.destroyForcibly();
    }
    String out = Files.readString(log);
    assertTrue(ended, "the training run ended within 90 s: " + out);
    assertEquals(0, p.exitValue(), "the training run: " + out);
    assertTrue(Files.size(archive()) > 1 << 20, "an archive of the classes: " + out);
  }

  private static Path archive() {
    return image.resolve("vigil.jsa");
  }

  private List<String> healthCheckCommand(int port) {
    List<String> cmd = new ArrayList<>();
    for (String arg : runtime.execForm("HEALTHCHECK")) {
      cmd.add(arg.replace("127.0.0.1:9090/", "127.0.0.1:" + port + "/"));
    }
    assertTrue(cmd.get(cmd.size() - 1).endsWith(":" + port + "/health/live"), cmd.toString());
    return cmd;
  }

  /** Container paths to this machine's: the init, java, and the files the image puts under /app. */
  private static String toThisMachine(String arg) {
    if (arg.equals("/sbin/tini") || arg.equals("/usr/bin/tini")) {
      return Stream.of("/sbin/tini", "/usr/bin/tini", "/usr/local/bin/tini").filter(p -> Files.isExecutable(Path.of(p)))
          .findFirst().orElseThrow(() -> new AssertionError("tini is not installed: apt-get install tini (bash .ci/run does it)"));
    }
    if (arg.equals("java")) {
      return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
    if (arg.equals("/app/vigil.jar")) {
      return VigilProcess.jar().toAbsolutePath().toString();
    }
    if (arg.endsWith("/app/vigil.jsa")) { // -XX:SharedArchiveFile=/app/vigil.jsa, and the script's argument
      return arg.replace("/app/vigil.jsa", archive().toString());
    }
    if (arg.endsWith("/cds-archive.sh")) {
      return Path.of("docker/cds-archive.sh").toAbsolutePath().toString();
    }
    if (arg.startsWith("/app/conf/")) {
      return Path.of("conf").resolve(arg.substring("/app/conf/".length())).toAbsolutePath().toString();
    }
    return arg;
  }

  private static ProcessHandle javaUnder(ProcessHandle root) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      Optional<ProcessHandle> java = Stream.concat(Stream.of(root), root.descendants())
          .filter(p -> p.info().command().orElse("").endsWith("/java")).findFirst();
      if (java.isPresent()) {
        return java.get();
      }
      Thread.onSpinWait();
    }
    throw new AssertionError("no java process under " + root.pid());
  }

  private static String statusField(ProcessHandle p, String field) throws IOException {
    return Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status")).stream()
        .filter(l -> l.startsWith(field + ":")).findFirst().orElseThrow().substring(field.length() + 1).strip();
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static int exitOf(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return p.waitFor(5, TimeUnit.SECONDS) ? p.exitValue() : -1;
    } catch (IOException e) {
      throw new AssertionError("cannot run the HEALTHCHECK command " + command + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static List<String> concat(List<?> a, List<?> b) {
    return Stream.concat(a.stream(), b.stream()).map(String::valueOf).toList();
  }
}

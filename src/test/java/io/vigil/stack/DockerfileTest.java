package io.vigil.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.stack.Dockerfile.Instruction;
import io.vigil.stack.Dockerfile.Stage;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The promises of the three production Dockerfiles, read from the files as the builder reads them. */
class DockerfileTest {
  /** A Dockerfile, the scan tools its scan stage must run, and the port its HEALTHCHECK must hit. */
  record Image(String file, List<String> scanTools, int port) {
    Dockerfile dockerfile() {
      return Dockerfile.read(Path.of(file));
    }

    @Override
    public String toString() {
      return file;
    }
  }

  static final Set<String> INITS = Set.of("/sbin/tini", "/usr/bin/tini", "/usr/bin/dumb-init");
  static final Pattern PINNED = Pattern.compile("[\\w./-]+:(?!latest$)[\\w.-]*\\d[\\w.-]*(@sha256:[0-9a-f]{64})?");
  static final Pattern HEALTH_URL = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)(/\\S*)");

  static Stream<Image> images() {
    return Stream.of(
        new Image("docker/Dockerfile", List.of("dependency-check"), 9090),
        new Image("docker/node.Dockerfile", List.of("npm audit"), 3000),
        new Image("docker/python.Dockerfile", List.of("pip-audit", "bandit"), 8000));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("images")
  void isMultiStageWithAScanStageThatAnArgumentSkipsAndTheRuntimeDependsOn(Image image) {
    Dockerfile d = image.dockerfile();
    assertTrue(d.stages().size() >= 3, d.path() + " stages: " + d.stageNames());
    Stage scan = d.stages().stream().filter(s -> image.scanTools().stream().allMatch(s.runText()::contains))
        .findFirst().orElseThrow(() -> new AssertionError(d.path() + ": no stage runs " + image.scanTools()));
    assertTrue(scan.all("ARG").stream().anyMatch(a -> a.args().startsWith("SKIP_SCAN")), "scan stage declares ARG SKIP_SCAN");
    assertTrue(scan.runText().contains("\"$SKIP_SCAN\" = \"true\""), "the scan is skipped only when SKIP_SCAN=true");
    // BuildKit builds only the stages the target needs: the runtime must copy from the scan stage.
    assertTrue(d.runtime().all("COPY").stream().anyMatch(c -> c.args().startsWith("--from=" + scan.name() + " ")),
        "runtime copies from stage " + scan.name() + ", so the scan cannot be pruned");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("images")
  void runtimeRunsAsUid1001(Image image) {
    Stage runtime = image.dockerfile().runtime();
    Instruction user = runtime.last("USER").orElseThrow(() -> new AssertionError(image + ": runtime has no USER"));
    assertTrue(Set.of("1001", "1001:1001").contains(user.args()), image + ": USER " + user.args());
    assertTrue(runtime.runText().matches("(?s).*(adduser|useradd)\\b[^\\n]*-u 1001\\b.*"), image + ": creates the uid 1001 user");
    int lastRun = runtime.last("RUN").map(Instruction::line).orElse(0);
    assertTrue(user.line() > lastRun, image + ": USER comes after the last RUN, so nothing later runs as root");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("images")
  void entrypointIsExecFormUnderAnInitProcess(Image image) {
    Stage runtime = image.dockerfile().runtime();
    List<String> entrypoint = runtime.execForm("ENTRYPOINT");
    assertTrue(INITS.contains(entrypoint.get(0)), image + ": PID 1 is " + entrypoint.get(0));
    assertEquals("--", entrypoint.get(1), image + ": init separates its own flags from the command");
    assertTrue(runtime.runText().matches("(?s).*(tini|dumb-init)=[\\w.-]+.*"), image + ": the init package is installed, version pinned");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("images")
  void healthCheckProbesTheServiceWithIntervalTimeoutRetriesAndStartPeriod(Image image) {
    Stage runtime = image.dockerfile().runtime();
    String health = runtime.last("HEALTHCHECK").orElseThrow(() -> new AssertionError(image + ": no HEALTHCHECK")).args();
    for (String option : List.of("--interval=", "--timeout=", "--start-period=", "--retries=")) {
      assertTrue(health.contains(option), image + ": HEALTHCHECK lacks " + option);
    }
    List<String> cmd = runtime.execForm("HEALTHCHECK");
    Matcher url = HEALTH_URL.matcher(cmd.get(cmd.size() - 1));
    assertTrue(url.matches(), image + ": health URL " + cmd);
    assertEquals(image.port(), Integer.parseInt(url.group(1)));
    assertTrue(runtime.all("EXPOSE").stream().anyMatch(e -> e.args().equals(Integer.toString(image.port()))), image + ": EXPOSE " + image.port());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("images")
  void everyBaseImageIsAStageOrAPinnedTag(Image image) {
    Dockerfile d = image.dockerfile();
    for (Stage s : d.stages()) {
      boolean earlierStage = d.stageNames().subList(0, d.stages().indexOf(s)).contains(s.base());
      assertTrue(earlierStage || PINNED.matcher(s.base()).matches(), image + " stage " + s.name() + ": base " + s.base() + " is not pinned");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("images")
  void runtimeCarriesOciLabels(Image image) {
    String labels = String.join(" ", image.dockerfile().runtime().all("LABEL").stream().map(Instruction::args).toList());
    assertTrue(labels.contains("org.opencontainers.image.title="), image + ": " + labels);
    assertTrue(labels.contains("org.opencontainers.image.description="), image + ": " + labels);
  }

  @Test
  void vigilDependencyLayerIsBuiltFromThePomAlone() {
    Dockerfile d = Dockerfile.read(Path.of("docker/Dockerfile"));
    Stage deps = d.stages().get(0);
    List<Instruction> beforeFirstRun = deps.instructions().subList(0, deps.instructions().indexOf(deps.all("RUN").get(0)));
    assertEquals(List.of("pom.xml ."), beforeFirstRun.stream().filter(i -> i.keyword().equals("COPY")).map(Instruction::args).toList());
    assertTrue(deps.runText().contains("dependency:go-offline"), deps.runText());
    Stage build = d.stages().get(1);
    assertEquals(deps.name(), build.base(), "the build stage starts from the cached dependencies");
    assertTrue(build.runText().contains("-o package"), "the build runs offline on the cached layer: " + build.runText());
  }

  @Test
  void vigilRuntimeIsASmallJreWithContainerAwareHeapRunningTheJar() {
    Dockerfile d = Dockerfile.read(Path.of("docker/Dockerfile"));
    assertTrue(d.runtime().base().matches("eclipse-temurin:[\\d._]+-jre-alpine"), d.runtime().base());
    List<String> entrypoint = d.runtime().execForm("ENTRYPOINT");
    assertTrue(entrypoint.contains("-XX:+UseContainerSupport"), entrypoint.toString());
    assertTrue(entrypoint.stream().anyMatch(f -> f.matches("-XX:MaxRAMPercentage=\\d+(\\.\\d+)?")), entrypoint.toString());
    assertTrue(entrypoint.contains("-XX:+ExitOnOutOfMemoryError"), "an OOM ends the container so the engine restarts it");
    assertEquals(List.of("-jar", "/app/vigil.jar"), entrypoint.subList(entrypoint.size() - 2, entrypoint.size()));
    String health = d.runtime().last("HEALTHCHECK").orElseThrow().args();
    assertTrue(health.contains("/health/live\"]"), "the container is restarted on liveness only, never on a dependency: " + health);
  }

  @Test
  void parserJoinsContinuationsDropsCommentsAndResolvesGlobalArgs() {
    Dockerfile d = Dockerfile.parse(Path.of("t"), List.of(
        "ARG BASE=alpine:3.20", "FROM ${BASE} AS one", "RUN a \\", "# inside", "  && b", "FROM one", "USER 1001"));
    assertEquals(List.of("one", "1"), d.stageNames());
    assertEquals("alpine:3.20", d.stage("one").base());
    assertEquals("a && b", d.stage("one").runText());
    assertEquals("one", d.runtime().base());
    assertFalse(PINNED.matcher("node:latest").matches());
    assertFalse(PINNED.matcher("node").matches());
    assertTrue(PINNED.matcher("node:20.18.1-alpine3.20").matches());
  }
}

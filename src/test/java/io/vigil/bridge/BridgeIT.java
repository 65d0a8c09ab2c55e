package io.vigil.bridge;

import static io.vigil.testsupport.MonitorFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.cluster.CountingTarget;
import io.vigil.testsupport.BridgeClient;
import io.vigil.testsupport.TestPorts;
import io.vigil.testsupport.VigilProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge of a real Vigil process ({@code target/vigil.jar}) with two http checks at a 1 s interval
 * against targets the test flips, followed by two real clients: a Java one on a plain socket and the
 * Python example ({@code examples/bridge_subscriber.py}, run with {@code python3}). Results arrive
 * with increasing seq, a failing target shows as UP->DOWN then DOWN->UP, vigil.status answers with
 * the snapshot, every other address is refused, and SIGTERM closes the bridge and exits promptly.
 * The tests run in order on one process; the last one stops it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BridgeIT {
  private static final Duration SOON = Duration.ofSeconds(15);
  private static final long DRAIN_MS = 1000;
  private static final String RESULT = "vigil.check.result";
  private static final String CHANGED = "vigil.status.changed";
  private static final String LIFECYCLE = "vigil.lifecycle";

  private CountingTarget target;
  private VigilProcess vigil;
  private int bridgePort;
  private BridgeClient client;
  private Process python;
  private final List<String> pythonLines = new CopyOnWriteArrayList<>();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    target = new CountingTarget(2);
    bridgePort = TestPorts.closed();
    vigil = VigilProcess.run(dir, config(bridgePort));
    vigil.awaitPort(Duration.ofSeconds(60)); // the bridge listens before HTTP does
    client = new BridgeClient(bridgePort);
    for (String address : List.of(RESULT, CHANGED, LIFECYCLE)) {
      client.register(address);
    }
    python = new ProcessBuilder("python3", "examples/bridge_subscriber.py", "--port", String.valueOf(bridgePort))
        .redirectErrorStream(true).start();
    Thread reader = new Thread(this::readPython, "bridge-subscriber.py");
    reader.setDaemon(true);
    reader.start();
    eventually(SOON, "the example to print its snapshot; it printed " + pythonLines,
        () -> pythonLines.stream().anyMatch(l -> l.startsWith("snapshot seq=") && l.contains("t0=UP t1=UP")));
  }

  private String config(int port) {
    return """
        server: { host: 127.0.0.1, port: 0, shutdown: { drain-delay: %dms, timeout: 10s } }
        bridge: { enabled: true, host: 127.0.0.1, port: %d }
        checks:
          defaults: { interval: 1s, timeout: 900ms }
          t0: { type: http, url: "%s" }
          t1: { type: http, url: "%s" }
        """.formatted(DRAIN_MS, port, target.url(0), target.url(1));
  }

  private void readPython() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(python.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        pythonLines.add(line);
      }
    } catch (IOException e) {
      pythonLines.add("(output closed: " + e + ")");
    }
  }

  @AfterAll
  void stop() throws IOException {
    if (python != null) {
      python.destroyForcibly();
    }
    if (client != null) {
      client.close();
    }
    if (vigil != null) {
      vigil.close();
    }
    if (target != null) {
      target.close();
    }
  }

  @Test
  @Order(1)
  void everyCheckResultArrivesWithIncreasingSeq() {
    eventually(SOON, "three results of each check", () -> results("t0").size() >= 3 && results("t1").size() >= 3);
    for (String check : List.of("t0", "t1")) {
      List<JsonObject> results = results(check);
      for (int i = 1; i < results.size(); i++) {
        assertTrue(results.get(i).getLong("seq") > results.get(i - 1).getLong("seq"), check + ": " + results);
      }
      JsonObject last = results.get(results.size() - 1);
      assertEquals("http", last.getString("type"));
      assertTrue(last.getBoolean("ok"), last.encode());
      assertEquals("UP", last.getString("state"));
    }
  }

  @Test
  @Order(2)
  void vigilStatusAnswersARequestWithTheSnapshot() throws IOException {
    int from = client.frames().size();
    client.request("vigil.status", "snapshot-1");
    JsonObject reply = client.await(from, SOON, "the reply to snapshot-1", f -> "snapshot-1".equals(f.getString("address")));
    assertEquals("message", reply.getString("type"));
    JsonObject snapshot = reply.getJsonObject("body");
    assertEquals("UP", snapshot.getString("state"));
    assertTrue(snapshot.getLong("seq") > 0, snapshot.encode());
    JsonArray checks = snapshot.getJsonArray("checks");
    assertEquals(List.of("t0", "t1"), checks.stream().map(c -> ((JsonObject) c).getString("name")).toList());
    assertEquals("UP", checks.getJsonObject(0).getJsonObject("data").getString("state"));
  }

  @Test
  @Order(3)
  void aTargetThatFailsAndRecoversShowsAsTwoTransitions() {
    int before = client.bodies(CHANGED).size();
    target.fail(0, true);
    eventually(SOON, "t0 DOWN", () -> transitions("t0", before).contains("UP->DOWN"));
    target.fail(0, false);
    eventually(SOON, "t0 UP again", () -> transitions("t0", before).contains("DOWN->UP"));
    assertEquals(List.of("UP->DOWN", "DOWN->UP"), transitions("t0", before));
    assertEquals(List.of("UP->DOWN", "DOWN->UP"), transitions("*", before), "the overall state follows the critical t0");
    assertEquals(List.of(), transitions("t1", before));
    eventually(SOON, "the example to print both; it printed " + pythonLines,
        () -> pythonLines.stream().anyMatch(l -> l.contains(" t0 UP -> DOWN reason=http_status"))
            && pythonLines.stream().anyMatch(l -> l.contains(" t0 DOWN -> UP")));
  }

  @Test
  @Order(4)
  void everythingElseIsRefused() throws IOException {
    try (BridgeClient other = new BridgeClient(bridgePort)) {
      other.register("vigil.cluster.result"); // a member's internal traffic
      other.request(RESULT, "mine"); // outbound only
      other.register("vigil.status"); // inbound only
      other.send(new JsonObject().put("type", "ping"));
      other.await(0, SOON, "the pong after the refusals", f -> "pong".equals(f.getString("type")));
      assertEquals(List.of("err access_denied", "err access_denied", "err access_denied", "pong"),
          other.frames().stream().map(f -> f.getString("type") + (f.containsKey("message") ? " " + f.getString("message") : ""))
              .toList());
    }
    try (BridgeClient broken = new BridgeClient(bridgePort)) {
      broken.send(new JsonObject().put("type", "subscribe").put("address", RESULT));
      eventually(SOON, "one line about the frame", () -> vigil.lines().stream().anyMatch(l -> l.contains("vigil.bridge client frame failed")));
    }
    assertFalse(vigil.lines().stream().anyMatch(l -> l.startsWith("\tat ") || l.contains("Unhandled exception")),
        String.join("\n", vigil.lines()));
  }

  @Test
  @Order(5)
  void sigtermClosesTheBridgeBeforeTheChecksStopAndExitsPromptly() throws Exception {
    long signalled = System.nanoTime();
    vigil.signal("TERM");
    assertEquals(0, vigil.awaitExit(Duration.ofMillis(DRAIN_MS + 5000)), String.join("\n", vigil.lines()));
    long exitMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
    assertTrue(exitMs < DRAIN_MS + 3000, "exit " + exitMs + " ms after SIGTERM, drain-delay " + DRAIN_MS + " ms");
    eventually(SOON, "the bridge to close the client's connection", client::ended);
    List<String> phases = client.bodies(LIFECYCLE).stream().map(b -> b.getString("phase")).toList();
    assertEquals("DRAINING", phases.get(phases.size() - 1), "the bridge closes after DRAINING, before the checks stop: " + phases);
    assertFalse(phases.contains("STOPPED"), phases.toString());
    assertTrue(python.waitFor(10, TimeUnit.SECONDS), "the example exits when the bridge closes");
    assertEquals(0, python.exitValue(), String.join("\n", pythonLines));
    assertTrue(pythonLines.get(pythonLines.size() - 2).endsWith("lifecycle DRAINING"), String.join("\n", pythonLines));
    assertEquals("bridge closed", pythonLines.get(pythonLines.size() - 1));
  }

  @Test
  @Order(6)
  void aBridgePortThatIsTakenFailsTheStartWithOneLine(@TempDir Path dir) throws Exception {
    try (ServerSocket taken = TestPorts.listen();
         VigilProcess second = VigilProcess.run(Files.createDirectories(dir.resolve("taken")), config(taken.getLocalPort()))) {
      assertEquals(1, second.awaitExit(Duration.ofSeconds(60)), String.join("\n", second.lines()));
      List<String> errors = second.lines().stream().filter(l -> l.contains(" ERROR ")).toList();
      assertEquals(1, errors.size(), String.join("\n", second.lines()));
      assertTrue(errors.get(0).matches(".* ERROR vigil cannot start: .*Address already in use \\(bridge host=127\\.0\\.0\\.1 port="
          + taken.getLocalPort() + "\\)"), errors.get(0));
      assertFalse(second.lines().stream().anyMatch(l -> l.startsWith("\tat ") || l.contains("listening host=")),
          String.join("\n", second.lines()));
    }
  }

  private List<JsonObject> results(String check) {
    return client.bodies(RESULT).stream().filter(r -> check.equals(r.getString("check"))).toList();
  }

  /** {@code check}'s transitions the client saw, from its {@code from}-th on, as "FROM->TO". */
  private List<String> transitions(String check, int from) {
    List<JsonObject> all = client.bodies(CHANGED);
    return all.subList(from, all.size()).stream().filter(t -> check.equals(t.getString("check")))
        .map(t -> t.getString("from") + "->" + t.getString("to")).toList();
  }
}

package io.vigil.shutdown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.VigilProcess;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM on the real process while clients hold keep-alive connections and poll: readiness drops
 * at once, liveness holds, nothing accepted is dropped, and the process exits 0 with STOPPED last.
 */
class ShutdownIT {
  private static final long DRAIN_MS = 1500;

  /** One poll: when it was sent (ns), the path, the status or the error. */
  record Poll(long sentNanos, long doneNanos, String path, int status, Throwable error) {}

  @Test
  void sigtermDrainsWhileClientsPollAndExitsZeroWithStoppedLast(@TempDir Path dir) throws Exception {
    try (ServerSocket target = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
         VigilProcess vigil = VigilProcess.run(dir, """
             server: { host: 127.0.0.1, port: 0, shutdown: { drain-delay: %dms, timeout: 5s } }
             probes: { readiness: { checks: [] } }
             checks:
               target: { type: tcp, host: 127.0.0.1, port: %d, interval: 200ms, timeout: 150ms }
             """.formatted(DRAIN_MS, target.getLocalPort()))) {
      acceptForever(target);
      int port = vigil.awaitPort(Duration.ofSeconds(20));
      String base = "http://127.0.0.1:" + port;
      HttpClient probe = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
      MonitorFixture.eventually(Duration.ofSeconds(10), "ready before the signal", () -> status(probe, base + "/health/ready") == 200);

      List<Poll> polls = new CopyOnWriteArrayList<>();
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> clients = new ArrayList<>();
      for (String path : List.of("/health/ready", "/health/live", "/health", "/health/ready")) {
        // Each client keeps one keep-alive connection (one HttpClient, sequential requests).
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();
        Thread t = new Thread(() -> poll(client, base, path, polls, stop), "poller " + path);
        t.start();
        clients.add(t);
      }
      Thread.sleep(300);
      vigil.signal("TERM");
      long signalled = System.nanoTime(); // kill has returned: the signal is delivered
      int exit = vigil.awaitExit(Duration.ofMillis(DRAIN_MS + 2000));
      long exited = System.nanoTime();
      stop.set(true);
      for (Thread t : clients) {
        t.join(3000);
      }

      assertEquals(0, exit, "exit status; output: " + vigil.lines());
      assertTrue((exited - signalled) / 1_000_000 <= DRAIN_MS + 2000, "exit within drain-delay + 2 s");

      Poll firstUnready = polls.stream().filter(p -> p.path.equals("/health/ready") && p.sentNanos > signalled && p.status == 503)
          .findFirst().orElseThrow(() -> new AssertionError("readiness never answered 503 after SIGTERM: " + polls.size() + " polls"));
      long unreadyMs = (firstUnready.doneNanos - signalled) / 1_000_000;
      assertTrue(unreadyMs <= 300, "readiness 503 within 300 ms of the signal, was " + unreadyMs + " ms");
      System.out.printf("shutdown: readiness 503 after %d ms, exit 0 after %d ms (drain-delay %d ms), %d polls, %d refused after the drain%n",
          unreadyMs, (exited - signalled) / 1_000_000, DRAIN_MS, polls.size(), polls.stream().filter(p -> p.error != null).count());
      long drainEnd = signalled + DRAIN_MS * 1_000_000;
      List<Poll> liveDuringDrain = polls.stream().filter(p -> p.path.equals("/health/live") && p.sentNanos > signalled
          && p.doneNanos < drainEnd).toList();
      assertTrue(liveDuringDrain.size() > 5, "liveness polled during the drain");
      liveDuringDrain.forEach(p -> assertEquals(200, p.status, "liveness during drain: " + p));
      // Nothing fails during the drain. When it ends the listener stops: new connections are refused,
      // and a keep-alive connection Vert.x closes while idle may take the request its client wrote at
      // that very moment with it (EOF, no answer; docs/benchmarks.md section 5): at most one per client.
      long closedUnanswered = 0;
      for (Poll p : polls) {
        if (p.error != null) {
          assertTrue(p.sentNanos > signalled + DRAIN_MS * 900_000L, "a request failed before the drain delay ended: "
              + p.error + " at +" + (p.sentNanos - signalled) / 1_000_000 + " ms");
          closedUnanswered += refused(p.error) ? 0 : 1;
        }
      }
      assertTrue(closedUnanswered <= clients.size(), closedUnanswered + " requests lost on closing keep-alive connections,"
          + " more than one per client (" + clients.size() + ")");
      List<String> lines = vigil.lines();
      String last = lines.get(lines.size() - 1);
      assertTrue(last.contains("lifecycle phase=STOPPED"), "STOPPED must be the last line logged, was: " + last + "\n" + lines);
      assertTrue(lines.stream().anyMatch(l -> l.contains("lifecycle phase=DRAINING")), lines.toString());
    }
  }

  @Test
  void secondSignalDuringTheDrainEndsTheProcessAtOnce(@TempDir Path dir) throws Exception {
    try (VigilProcess vigil = VigilProcess.run(dir, """
        server: { host: 127.0.0.1, port: 0, shutdown: { drain-delay: 10s, timeout: 20s } }
        checks: {}
        """)) {
      vigil.awaitPort(Duration.ofSeconds(20));
      vigil.signal("TERM");
      MonitorFixture.eventually(Duration.ofSeconds(10), "draining", () ->
          vigil.lines().stream().anyMatch(l -> l.contains("phase=DRAINING")));
      long second = System.nanoTime();
      vigil.signal("INT");
      assertEquals(130, vigil.awaitExit(Duration.ofSeconds(8)));
      assertTrue((System.nanoTime() - second) / 1_000_000 < 3000, "exits at once, not after the 10 s drain");
      assertTrue(vigil.lines().stream().anyMatch(l -> l.contains("signal=SIGINT again: exiting now, status 130")), vigil.lines().toString());
    }
  }

  /**
   * An orchestrator may stop a pod that is still starting. The handlers are installed before the
   * start, so a SIGTERM at the first log line drains once the monitor runs and exits 0 (with the
   * handlers installed after the start, as before, this was the JVM's default: 143, no drain).
   */
  @Test
  void sigtermWhileStartingDrainsOnceStarted(@TempDir Path dir) throws Exception {
    try (VigilProcess vigil = VigilProcess.run(dir, """
        server: { host: 127.0.0.1, port: 0, shutdown: { drain-delay: 0s, timeout: 10s } }
        checks: {}
        """)) {
      MonitorFixture.eventually(Duration.ofSeconds(20), "the first log line", () ->
          vigil.lines().stream().anyMatch(l -> l.contains("lifecycle phase=STARTING")));
      vigil.signal("TERM");
      assertEquals(0, vigil.awaitExit(Duration.ofSeconds(30)), () -> "exit status; output: " + vigil.lines());
      List<String> lines = vigil.lines();
      assertTrue(lines.stream().anyMatch(l -> l.contains("signal=SIGTERM shutting down")), lines.toString());
      assertTrue(lines.stream().anyMatch(l -> l.contains("lifecycle phase=STOPPED")), lines.toString());
    }
  }

  private static void poll(HttpClient client, String base, String path, List<Poll> polls, AtomicBoolean stop) {
    while (!stop.get()) {
      long sent = System.nanoTime();
      try {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(3)).build(),
            HttpResponse.BodyHandlers.ofString());
        polls.add(new Poll(sent, System.nanoTime(), path, r.statusCode(), null));
      } catch (IOException e) {
        polls.add(new Poll(sent, System.nanoTime(), path, -1, e));
        if (refused(e)) {
          return; // the listener is gone; nothing more to learn
        }
      } catch (InterruptedException e) {
        return;
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static boolean refused(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException) {
        return true;
      }
    }
    return false;
  }

  private static int status(HttpClient client, String url) {
    try {
      return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException | InterruptedException e) {
      return -1;
    }
  }

  /** The TCP check's target: accepts and holds connections until the test ends. */
  private static void acceptForever(ServerSocket server) {
    Thread t = new Thread(() -> {
      List<java.net.Socket> held = new ArrayList<>();
      try {
        while (true) {
          held.add(server.accept());
        }
      } catch (IOException closed) {
        held.forEach(s -> {
          try {
            s.close();
          } catch (IOException ignored) {
            // closing at the end of the test
          }
        });
      }
    }, "tcp-target");
    t.setDaemon(true);
    t.start();
  }
}

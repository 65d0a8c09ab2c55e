package io.vigil.http;

import static io.vigil.testsupport.MonitorFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.http.HttpListeners.Port;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What {@link ConnectionGuard} bounds, on real sockets against the serving path: the pipelining
 * depth, the connection cap (idle connections make room for a probe), and the idle timeout (a
 * client trickling header bytes is closed although bytes keep coming; the guard's sweep and Vert.x's
 * own idle timer each close it, and the test goes red only with both switched off).
 */
class ConnectionGuardTest {
  private static final String LIVE = "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  /**
   * Answered off the event loop, so the requests behind it in the same read are decoded while it is
   * unanswered: the pipeline a hostile client builds. (Requests answered at once never pile up.)
   */
  private static final String METRICS = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

  @Test
  void aConnectionPipeliningPastTheLimitIsClosedWithAtMostTheLimitAnswered() throws IOException {
    try (ServingFixture f = ServingFixture.start("");
         Socket s = new Socket("127.0.0.1", f.port())) {
      s.setSoTimeout(5000);
      s.getOutputStream().write((METRICS + LIVE.repeat(PipelineLimit.MAX_AHEAD + 40)).getBytes(StandardCharsets.US_ASCII));
      String all = readUntilClosed(s.getInputStream());
      int answers = count(all, "HTTP/1.1 200");
      assertTrue(answers <= PipelineLimit.MAX_AHEAD, "at most " + PipelineLimit.MAX_AHEAD + " answers before the close, got " + answers);
      assertEquals(1, f.listeners.guard(Port.MAIN).pipelineCut(), "the connection was cut for its pipelining");
      assertEquals(1.0, f.registry.get("vigil.http.connections.closed").tags("listener", "main", "reason", "pipelining")
          .functionCounter().count(), "and the metric says so");
      assertEquals(200, f.get("/health/live").statusCode(), "the server serves the next client");
    }
  }

  @Test
  void aConnectionPipeliningCheapRequestsPastTheLimitInOneWriteIsClosedToo() throws IOException {
    try (ServingFixture f = ServingFixture.start("");
         Socket s = new Socket("127.0.0.1", f.port())) {
      s.setSoTimeout(5000);
      // Each is answered at once, so none is ever far ahead of its answer: the depth of the read counts.
      s.getOutputStream().write(LIVE.repeat(PipelineLimit.MAX_AHEAD + 40).getBytes(StandardCharsets.US_ASCII));
      int answers = count(readUntilClosed(s.getInputStream()), "HTTP/1.1 200");
      assertTrue(answers <= PipelineLimit.MAX_AHEAD, "at most " + PipelineLimit.MAX_AHEAD + " answers before the close, got " + answers);
      assertEquals(1, f.listeners.guard(Port.MAIN).pipelineCut());
    }
  }

  @Test
  void pipeliningWithinTheLimitIsAnsweredInFull() throws IOException {
    try (ServingFixture f = ServingFixture.start("");
         Socket s = new Socket("127.0.0.1", f.port())) {
      s.setSoTimeout(5000);
      String close = "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
      s.getOutputStream().write((METRICS + LIVE.repeat(PipelineLimit.MAX_AHEAD - 2) + close).getBytes(StandardCharsets.US_ASCII));
      assertEquals(PipelineLimit.MAX_AHEAD, count(readUntilClosed(s.getInputStream()), "HTTP/1.1 200"));
      assertEquals(0, f.listeners.guard(Port.MAIN).pipelineCut());
    }
  }

  @Test
  void everyDefenceCounterExistsAtZeroFromTheStart() {
    try (ServingFixture f = ServingFixture.start("")) {
      for (String listener : List.of("main", "management")) {
        for (String reason : List.of("evicted", "refused", "pipelining")) {
          assertEquals(0.0, f.registry.get("vigil.http.connections.closed").tags("listener", listener, "reason", reason)
              .functionCounter().count(), listener + " " + reason);
        }
        assertEquals(0.0, f.registry.get("vigil.http.requests.deferred").tags("listener", listener).functionCounter().count());
      }
      assertEquals(0.0, f.registry.get("vigil.events.subscribers.refused").functionCounter().count());
      assertEquals(0.0, f.registry.get("vigil.events.subscribers.dropped").functionCounter().count());
      assertEquals(0.0, f.registry.get("vigil.metrics.scrapes.waiting").gauge().value());
    }
  }

  @Test
  void atTheCapTheIdlestConnectionMakesRoomForAFreshProbe() throws IOException {
    try (ServingFixture f = ServingFixture.start("max-connections: 5")) {
      List<Socket> hoarders = new ArrayList<>();
      try {
        for (int i = 0; i < 5; i++) {
          Socket s = new Socket("127.0.0.1", f.port());
          s.setSoTimeout(5000);
          hoarders.add(s);
          s.getOutputStream().write(LIVE.getBytes(StandardCharsets.US_ASCII));
          readAnswer(s.getInputStream()); // one answered request each, then idle on keep-alive
        }
        eventually(Duration.ofSeconds(10), "5 connections open", () -> f.listeners.guard(Port.MAIN).open() == 5);
        assertEquals(200, f.get("/health/live").statusCode(), "a probe on a new connection is answered at the cap");
        assertTrue(closedByServer(hoarders.get(0)), "the connection idle the longest was closed to make room");
        assertEquals(1, f.listeners.guard(Port.MAIN).evicted());
      assertEquals(1.0, f.registry.get("vigil.http.connections.closed").tags("listener", "main", "reason", "evicted")
          .functionCounter().count());
      } finally {
        for (Socket s : hoarders) {
          s.close();
        }
      }
    }
  }

  @Test
  void aClientTricklingItsHeadersIsClosedAtTheIdleTimeoutThoughBytesKeepComing() throws Exception {
    try (ServingFixture f = ServingFixture.start("idle-timeout: 1s");
         Socket s = new Socket("127.0.0.1", f.port())) {
      s.setSoTimeout(200);
      s.getOutputStream().write("GET /health/live HTTP/1.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
      long start = System.nanoTime();
      boolean closed = false;
      while (!closed && System.nanoTime() - start < Duration.ofSeconds(6).toNanos()) {
        try {
          s.getOutputStream().write('a'); // one byte every 200 ms: Vert.x's own I/O timer never fires
          closed = s.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
          // nothing from the server yet: keep trickling
        } catch (IOException e) {
          closed = true;
        }
      }
      long tookMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
      assertTrue(closed, "still open after " + tookMs + " ms of trickled header bytes");
      assertTrue(tookMs < 4000, "closed after " + tookMs + " ms; the idle timeout is 1 s and the sweep runs every second");
    }
  }

  private static boolean closedByServer(Socket s) {
    try {
      s.setSoTimeout(3000);
      return s.getInputStream().read() < 0;
    } catch (IOException e) {
      return true;
    }
  }

  /** Reads one whole answer: its head, then Content-Length bytes of body. */
  private static void readAnswer(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int c;
    while (head.indexOf("\r\n\r\n") < 0 && (c = in.read()) != -1) {
      head.append((char) c);
    }
    Matcher m = Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
    int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
    in.readNBytes(length);
  }

  private static String readUntilClosed(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    byte[] buf = new byte[8192];
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        b.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
      }
    } catch (IOException e) {
      // a reset after the close: what was read stands
    }
    return b.toString();
  }

  private static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}

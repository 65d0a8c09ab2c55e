package io.vigil.http;

import static io.vigil.testsupport.MonitorFixture.FAST;
import static io.vigil.testsupport.MonitorFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.SwitchableCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Malformed or hostile requests get a 4xx, and nothing else changes. */
class BadRequestTest {
  private MonitorFixture m;

  @BeforeEach
  void start() {
    m = MonitorFixture.start("checks: {}");
    m.register("redis", new SwitchableCheck(), FAST);
    eventually(Duration.ofSeconds(10), "ready", () -> m.status("/health/ready") == 200);
  }

  @AfterEach
  void stop() {
    m.close();
  }

  /** Sends raw bytes and returns the status line of the answer. */
  private String raw(String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", m.port())) {
      s.setSoTimeout(3000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) != -1 && c != '\n') {
        line.append((char) c);
      }
      return line.toString().trim();
    }
  }

  @Test
  void hugeHeaderIsRefusedWith431() throws IOException {
    String big = "x".repeat(20_000);
    assertEquals("HTTP/1.1 431 Request Header Fields Too Large",
        raw("GET /health/ready HTTP/1.1\r\nHost: a\r\nX-Big: " + big + "\r\n\r\n"));
    assertEquals(200, m.status("/health/ready"), "nothing else changes");
  }

  @Test
  void hugeRequestLineIsRefusedWith414() throws IOException {
    // Vert.x answers a request it could not parse with an HTTP/1.0 status line.
    assertEquals("HTTP/1.0 414 Request-URI Too Long", raw("GET /health?" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: a\r\n\r\n"));
    assertEquals(200, m.status("/health/ready"));
  }

  @Test
  void unknownMethodIsA4xx() throws IOException {
    String status = raw("BREW /health HTTP/1.1\r\nHost: a\r\n\r\n");
    assertTrue(status.matches("HTTP/1\\.1 4\\d\\d .*"), status);
    assertEquals("HTTP/1.1 405 Method Not Allowed", raw("DELETE /health/ready HTTP/1.1\r\nHost: a\r\n\r\n"));
    assertEquals(200, m.status("/health/ready"));
  }

  @Test
  void garbageIsA400() throws IOException {
    assertEquals("HTTP/1.0 400 Bad Request", raw("\u0001\u0002 not http at all\r\n\r\n"));
    assertEquals(200, m.status("/health/ready"));
  }

  @Test
  void unknownPathIsA404WithoutDetails() {
    var r = m.get("/health/../../etc/passwd");
    assertEquals(404, r.statusCode());
    assertFalse(r.body().contains("Exception"));
    assertEquals(404, m.status("/.env"));
    assertEquals(200, m.status("/health/ready"));
  }
}

package io.vigil.http;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A Server-Sent Events client on a raw socket (HTTP/1.1, chunked), so a test controls every header
 * (Last-Event-ID, Authorization) and sees exactly the frames the server wrote, in order.
 */
public final class SseClient implements AutoCloseable {
  /** One frame: {@code event:}, {@code id:} (null when absent) and the {@code data:} line. */
  public record Event(String name, Long id, String data) {
    public JsonObject json() {
      return new JsonObject(data);
    }
  }

  private final Socket socket;
  private final int status;
  private final Map<String, String> headers;
  private final String errorBody;
  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final Thread reader;
  private volatile boolean ended;

  private SseClient(Socket socket, int status, Map<String, String> headers, InputStream in) throws IOException {
    this.socket = socket;
    this.status = status;
    this.headers = headers;
    if (status != 200) {
      errorBody = readBody(in, headers);
      reader = null;
      ended = true;
      return;
    }
    errorBody = null;
    reader = new Thread(() -> read(in), "sse-client");
    reader.setDaemon(true);
    reader.start();
  }

  /** Connects to 127.0.0.1:{@code port} and sends {@code GET path} with {@code headers} (name, value, ...). */
  public static SseClient open(int port, String path, String... headers) throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(10_000);
    StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n");
    for (int i = 0; i + 1 < headers.length; i += 2) {
      req.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    OutputStream out = s.getOutputStream();
    out.write(req.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    InputStream in = s.getInputStream();
    String statusLine = line(in);
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    Map<String, String> h = new LinkedHashMap<>();
    for (String l = line(in); !l.isEmpty(); l = line(in)) {
      int colon = l.indexOf(':');
      h.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
    }
    return new SseClient(s, status, h, in);
  }

  int status() {
    return status;
  }

  String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  String errorBody() {
    return errorBody;
  }

  List<Event> events() {
    return List.copyOf(events);
  }

  /** True once the server ended the stream or closed the connection. */
  boolean ended() {
    return ended;
  }

  /** Waits until {@code condition} holds for the events so far; fails after {@code timeout}. */
  public List<Event> await(Duration timeout, String what, Predicate<List<Event>> condition) {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.test(events())) {
      if (System.nanoTime() > end) {
        List<Event> seen = events();
        throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what + "; " + seen.size()
            + " events, the last ones: " + seen.subList(Math.max(0, seen.size() - 8), seen.size()));
      }
      sleep(5);
    }
    return events();
  }

  /** Waits until the server ends the stream; fails after {@code timeout}. */
  void awaitEnd(Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    while (!ended) {
      if (System.nanoTime() > end) {
        throw new AssertionError("the stream did not end within " + timeout.toMillis() + " ms");
      }
      sleep(5);
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  private void read(InputStream in) {
    try {
      ByteArrayOutputStream pending = new ByteArrayOutputStream();
      while (true) {
        int size = Integer.parseInt(line(in).trim(), 16);
        if (size == 0) {
          break;
        }
        pending.write(in.readNBytes(size));
        line(in);
        parse(pending);
      }
    } catch (IOException | RuntimeException e) {
      // the server closed the stream
    } finally {
      ended = true;
    }
  }

  /** Takes every complete frame ({@code \n\n}-terminated) out of {@code pending}. */
  private void parse(ByteArrayOutputStream pending) {
    byte[] bytes = pending.toByteArray();
    int cut = -1;
    for (int i = bytes.length - 2; i >= 0; i--) {
      if (bytes[i] == '\n' && bytes[i + 1] == '\n') {
        cut = i + 2;
        break;
      }
    }
    if (cut < 0) {
      return;
    }
    String text = new String(bytes, 0, cut, StandardCharsets.UTF_8);
    for (String frame : text.split("\n\n")) {
      String name = null;
      Long id = null;
      String data = null;
      for (String l : frame.split("\n")) {
        if (l.startsWith("event: ")) {
          name = l.substring(7);
        } else if (l.startsWith("id: ")) {
          id = Long.parseLong(l.substring(4));
        } else if (l.startsWith("data: ")) {
          data = l.substring(6);
        }
      }
      if (name != null) {
        events.add(new Event(name, id, data));
      }
    }
    pending.reset();
    pending.write(bytes, cut, bytes.length - cut);
  }

  private static String readBody(InputStream in, Map<String, String> headers) throws IOException {
    String length = headers.get("content-length");
    if (length != null) {
      return new String(in.readNBytes(Integer.parseInt(length)), StandardCharsets.UTF_8);
    }
    return "";
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        b.append((char) c);
      }
    }
    if (c == -1 && b.length() == 0) {
      throw new IOException("closed");
    }
    return b.toString();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The ids of the events that carry one (results and transitions), in order. */
  static List<Long> ids(List<Event> events) {
    List<Long> ids = new ArrayList<>();
    for (Event e : events) {
      if (e.id() != null && !e.name().equals("snapshot")) {
        ids.add(e.id());
      }
    }
    return ids;
  }
}

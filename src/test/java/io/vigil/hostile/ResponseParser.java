package io.vigil.hostile;

import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * An incremental HTTP/1.1 response reader for GET: status line and headers, then a body framed by
 * {@code Content-Length}, by chunks, or by the connection's end. It keeps the head (bounded) and
 * skips the body without copying it, so a client can read a 3 MB {@code /metrics} answer for the
 * cost of counting it.
 */
final class ResponseParser {
  private static final int MAX_HEAD = 64 * 1024;

  private enum State { HEAD, BODY_LENGTH, CHUNK_SIZE, CHUNK_DATA, CHUNK_CRLF, TRAILER, UNTIL_CLOSE, DONE }

  private State state = State.HEAD;
  private final StringBuilder line = new StringBuilder();
  private final StringBuilder head = new StringBuilder();
  private long remaining;
  private int status = -1;
  private boolean close;
  private long bodyBytes;

  /** Consumes bytes from {@code in} until the response is complete or {@code in} is empty; true when complete. */
  boolean feed(ByteBuffer in) {
    while (in.hasRemaining() && state != State.DONE) {
      switch (state) {
        case HEAD -> head(in.get());
        case BODY_LENGTH, CHUNK_DATA, UNTIL_CLOSE -> skip(in);
        case CHUNK_SIZE, TRAILER -> chunkLine(in.get());
        case CHUNK_CRLF -> {
          in.get();
          if (--remaining == 0) {
            state = State.CHUNK_SIZE;
          }
        }
        default -> throw new IllegalStateException(state.name());
      }
    }
    return state == State.DONE;
  }

  /** The peer closed the connection: true when that ends the response (a body framed by the close). */
  boolean endOfStream() {
    if (state == State.UNTIL_CLOSE) {
      state = State.DONE;
    }
    return state == State.DONE;
  }

  /** The status code once the head is read, else -1. */
  int status() {
    return status;
  }

  boolean headRead() {
    return state != State.HEAD;
  }

  /** The server said {@code Connection: close} (or framed the body by closing). */
  boolean closesConnection() {
    return close;
  }

  long bodyBytes() {
    return bodyBytes;
  }

  private void head(byte b) {
    if (head.length() >= MAX_HEAD) {
      throw new IllegalStateException("response head longer than " + MAX_HEAD + " bytes");
    }
    head.append((char) (b & 0xff));
    int n = head.length();
    if (n >= 4 && head.charAt(n - 4) == '\r' && head.charAt(n - 3) == '\n' && head.charAt(n - 2) == '\r'
        && head.charAt(n - 1) == '\n') {
      parseHead();
    }
  }

  private void parseHead() {
    String[] lines = head.toString().split("\r\n");
    String[] statusLine = lines[0].split(" ", 3);
    if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
      throw new IllegalStateException("not an HTTP/1.x status line: " + lines[0]);
    }
    status = Integer.parseInt(statusLine[1]);
    long length = -1;
    boolean chunked = false;
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = lines[i].substring(colon + 1).trim().toLowerCase(Locale.ROOT);
      switch (name) {
        case "content-length" -> length = Long.parseLong(value);
        case "transfer-encoding" -> chunked = value.contains("chunked");
        case "connection" -> close = value.contains("close");
        default -> { }
      }
    }
    if (chunked) {
      state = State.CHUNK_SIZE;
    } else if (length >= 0) {
      remaining = length;
      state = length == 0 ? State.DONE : State.BODY_LENGTH;
    } else if (status == 204 || status == 304 || status / 100 == 1) {
      state = State.DONE;
    } else {
      close = true;
      state = State.UNTIL_CLOSE;
    }
  }

  private void skip(ByteBuffer in) {
    int n = state == State.UNTIL_CLOSE ? in.remaining() : (int) Math.min(remaining, in.remaining());
    in.position(in.position() + n);
    bodyBytes += n;
    if (state == State.UNTIL_CLOSE) {
      return;
    }
    remaining -= n;
    if (remaining == 0) {
      if (state == State.BODY_LENGTH) {
        state = State.DONE;
      } else {
        remaining = 2; // the CRLF after a chunk's data
        state = State.CHUNK_CRLF;
      }
    }
  }

  private void chunkLine(byte b) {
    if (b != '\n') {
      if (line.length() > 4096) {
        throw new IllegalStateException("chunk line longer than 4096 bytes");
      }
      line.append((char) (b & 0xff));
      return;
    }
    String text = line.toString().trim();
    line.setLength(0);
    if (state == State.TRAILER) {
      if (text.isEmpty()) {
        state = State.DONE;
      }
      return;
    }
    int semi = text.indexOf(';');
    long size = Long.parseLong(semi < 0 ? text : text.substring(0, semi).trim(), 16);
    if (size == 0) {
      state = State.TRAILER;
    } else {
      remaining = size;
      state = State.CHUNK_DATA;
    }
  }

  /** The head as text, for messages. */
  String head() {
    return head.toString();
  }
}

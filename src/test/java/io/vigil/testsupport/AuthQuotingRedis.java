package io.vigil.testsupport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny RESP server on 127.0.0.1 whose {@code AUTH} error quotes the password it received
 * ({@code -WRONGPASS invalid username-password pair: got 'THEPASSWORD'}): a server that puts the
 * secret into the very error a client reports, to prove Vigil scrubs it. {@code HELLO} is an
 * unknown command (clients fall back to {@code PING} and {@code AUTH}); before a successful
 * {@code AUTH} every other command answers {@code -NOAUTH}, after it {@code PING} answers
 * {@code +PONG} and anything else {@code -ERR}. Plain blocking sockets on daemon threads, like
 * {@link FaultProxy}: nothing here runs on a Vert.x event loop.
 */
public final class AuthQuotingRedis implements AutoCloseable {
  private static final int MAX_LINE = 64 * 1024;

  private final ServerSocket server;
  private final String accepted;
  private final AtomicInteger authAttempts = new AtomicInteger();
  private final List<String> passwords = new CopyOnWriteArrayList<>();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;

  private AuthQuotingRedis(String accepted) throws IOException {
    this.accepted = accepted;
    this.server = TestPorts.listen(); // outside the ephemeral range: see TestPorts
    acceptor = new Thread(this::acceptLoop, "auth-quoting-redis-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A server that rejects every password, quoting it. */
  public static AuthQuotingRedis start() {
    return create(null);
  }

  /** A server that accepts {@code password} (then PING answers PONG) and rejects, quoting, any other. */
  public static AuthQuotingRedis accepting(String password) {
    return create(password);
  }

  private static AuthQuotingRedis create(String accepted) {
    try {
      return new AuthQuotingRedis(accepted);
    } catch (IOException e) {
      throw new IllegalStateException("AuthQuotingRedis cannot listen on 127.0.0.1", e);
    }
  }

  public int port() {
    return server.getLocalPort();
  }

  /** {@code redis://:PASSWORD@127.0.0.1:PORT}, the password as given (not URL-encoded). */
  public String uri(String password) {
    return "redis://:" + password + "@127.0.0.1:" + port();
  }

  /** {@code AUTH} commands received, right or wrong. */
  public int authAttempts() {
    return authAttempts.get();
  }

  /** The passwords {@code AUTH} carried, in order. */
  public List<String> passwordsReceived() {
    return List.copyOf(passwords);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        open.add(s);
        Thread t = new Thread(() -> serve(s), "auth-quoting-redis-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      InputStream in = new BufferedInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      boolean authed = false;
      while (true) {
        List<String> cmd = readCommand(in);
        if (cmd == null) {
          return;
        }
        if (cmd.isEmpty()) {
          continue;
        }
        String name = cmd.get(0).toUpperCase(Locale.ROOT);
        String reply;
        switch (name) {
          case "AUTH" -> {
            if (cmd.size() == 2 || cmd.size() == 3) {
              authAttempts.incrementAndGet();
              String password = cmd.get(cmd.size() - 1);
              passwords.add(password);
              boolean userOk = cmd.size() == 2 || "default".equals(cmd.get(1));
              authed = accepted != null && accepted.equals(password) && userOk;
              reply = authed ? "+OK" : "-WRONGPASS invalid username-password pair: got '" + oneLine(password) + "'";
            } else {
              reply = "-ERR wrong number of arguments for 'auth' command";
            }
          }
          case "HELLO" -> reply = "-ERR unknown command 'HELLO'";
          case "QUIT" -> {
            write(out, "+OK");
            return;
          }
          case "PING" -> reply = !authed ? "-NOAUTH Authentication required." : "+PONG";
          default -> reply = !authed ? "-NOAUTH Authentication required."
              : "-ERR unknown command '" + oneLine(cmd.get(0)) + "'";
        }
        write(out, reply);
      }
    } catch (IOException e) {
      // the client went away, or the server closed
    } finally {
      open.remove(s);
    }
  }

  /** One command: a RESP array of bulk strings, or an inline line; null at end of stream. */
  private static List<String> readCommand(InputStream in) throws IOException {
    int first = in.read();
    if (first == -1) {
      return null;
    }
    if (first != '*') {
      String line = (char) first + readLine(in);
      List<String> words = new ArrayList<>();
      for (String w : line.trim().split("\\s+")) {
        if (!w.isEmpty()) {
          words.add(w);
        }
      }
      return words;
    }
    int n = number(readLine(in));
    List<String> args = new ArrayList<>(Math.max(0, n));
    for (int i = 0; i < n; i++) {
      if (in.read() != '$') {
        throw new IOException("protocol error: expected a bulk string");
      }
      int len = number(readLine(in));
      if (len < 0 || len > MAX_LINE) {
        throw new IOException("protocol error: bulk length " + len);
      }
      byte[] b = in.readNBytes(len);
      if (b.length < len) {
        throw new EOFException();
      }
      readLine(in); // the CRLF after the bytes
      args.add(new String(b, StandardCharsets.UTF_8));
    }
    return args;
  }

  private static int number(String s) throws IOException {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new IOException("protocol error: not a number: " + s);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        byte[] b = line.toByteArray();
        int len = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
        return new String(b, 0, len, StandardCharsets.UTF_8);
      }
      if (line.size() >= MAX_LINE) {
        throw new IOException("protocol error: line too long");
      }
      line.write(c);
    }
    throw new EOFException();
  }

  /** A RESP simple string must hold no CR or LF. */
  private static String oneLine(String s) {
    return s.replace('\r', '?').replace('\n', '?');
  }

  private static void write(OutputStream out, String reply) throws IOException {
    out.write((reply + "\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /**
   * Closes the listener and waits for the accept thread to leave {@code accept()}: until it does,
   * the JDK keeps the socket listening, and a connection can still be accepted by the kernel
   * (PrivateServersTest saw the port accept right after close() returned).
   */
  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    try {
      acceptor.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    open.clear();
  }

  @Override
  public String toString() {
    return "AuthQuotingRedis[port=" + port() + "]";
  }
}

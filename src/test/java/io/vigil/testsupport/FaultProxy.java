package io.vigil.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on 127.0.0.1 in front of a real server, for injecting faults with real sockets:
 * {@link #pass()}, {@link #refuse()} (nothing listens: connections are refused), {@link #blackhole()}
 * (accepts, never answers), {@link #delay(Duration)} (every chunk late), {@link #garbage()} (answers
 * junk). Each switch drops the connections already open, as a restart or a cut would, so pooled
 * clients notice. Plain threads: test code that never runs on a Vert.x event loop.
 */
public final class FaultProxy implements AutoCloseable {
  private enum Mode { PASS, REFUSE, BLACKHOLE, DELAY, GARBAGE }

  private final String upstreamHost;
  private final int upstreamPort;
  private final int port;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile Mode mode = Mode.PASS;
  private volatile long delayMs;
  private volatile ServerSocket server;
  private volatile boolean closed;

  private FaultProxy(String upstreamHost, int upstreamPort) throws IOException {
    this.upstreamHost = upstreamHost;
    this.upstreamPort = upstreamPort;
    this.server = TestPorts.listen(); // outside the ephemeral range: see TestPorts
    this.port = server.getLocalPort();
    acceptLoop(server);
  }

  /** A proxy in PASS mode in front of {@code host:port}. */
  public static FaultProxy to(String host, int port) {
    try {
      return new FaultProxy(host, port);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the fault proxy", e);
    }
  }

  /** The port clients connect to. */
  public int port() {
    return port;
  }

  public synchronized void pass() {
    switchTo(Mode.PASS);
  }

  /** Stops listening: new connections are refused until another mode is chosen. */
  public synchronized void refuse() {
    switchTo(Mode.REFUSE);
  }

  /** Accepts connections and never forwards or answers anything. */
  public synchronized void blackhole() {
    switchTo(Mode.BLACKHOLE);
  }

  /** Forwards every chunk, both ways, {@code d} late. */
  public synchronized void delay(Duration d) {
    delayMs = d.toMillis();
    switchTo(Mode.DELAY);
  }

  /** Answers every connection with bytes no protocol expects. */
  public synchronized void garbage() {
    switchTo(Mode.GARBAGE);
  }

  private void switchTo(Mode next) {
    mode = next;
    dropAll();
    try {
      if (next == Mode.REFUSE) {
        server.close();
      } else if (server.isClosed()) {
        server = listen(port);
        acceptLoop(server);
      }
    } catch (IOException e) {
      throw new IllegalStateException("fault proxy cannot switch to " + next, e);
    }
  }

  private static ServerSocket listen(int port) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 100);
    return s;
  }

  private void acceptLoop(ServerSocket listener) {
    daemon("fault-proxy-accept-" + port, () -> {
      while (!listener.isClosed()) {
        try {
          Socket client = listener.accept();
          Mode m = register(listener, client);
          if (m != null) {
            daemon("fault-proxy-conn", () -> serve(client, m));
          }
        } catch (IOException e) {
          return; // listener closed: refuse mode or the end
        }
      }
    });
  }

  /**
   * Registers a new connection and fixes its mode, atomically with mode switches: a connection
   * accepted just before a switch is either dropped by it or served in the new mode, never missed.
   */
  private synchronized Mode register(ServerSocket listener, Socket client) {
    if (listener != server || listener.isClosed() || mode == Mode.REFUSE) {
      quietClose(client);
      return null;
    }
    open.add(client);
    return mode;
  }

  private void serve(Socket client, Mode m) {
    try {
      switch (m) {
        case BLACKHOLE -> drain(client.getInputStream());
        case GARBAGE -> {
          OutputStream out = client.getOutputStream();
          out.write("\u0000\u00ff\u00fegarbage\r\n-ERR? HTTP/9 \u0013\u0014\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          drain(client.getInputStream());
        }
        default -> forward(client, m == Mode.DELAY ? delayMs : 0);
      }
    } catch (IOException e) {
      // a connection ended: normal for a proxy
    } finally {
      quietClose(client);
      open.remove(client);
    }
  }

  private void forward(Socket client, long lateMs) throws IOException {
    Socket upstream = new Socket();
    open.add(upstream);
    try {
      upstream.connect(new InetSocketAddress(upstreamHost, upstreamPort), 2000);
      Thread back = daemon("fault-proxy-back", () -> pump(upstream, client, lateMs));
      pump(client, upstream, lateMs);
      back.interrupt();
    } finally {
      quietClose(upstream);
      open.remove(upstream);
    }
  }

  private static void pump(Socket from, Socket to, long lateMs) {
    byte[] buf = new byte[16 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buf)) != -1) {
        if (lateMs > 0) {
          Thread.sleep(lateMs);
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // one side went away
    } finally {
      quietClose(from);
      quietClose(to);
    }
  }

  private static void drain(InputStream in) throws IOException {
    byte[] buf = new byte[4096];
    while (in.read(buf) != -1) {
      // swallow everything, answer nothing
    }
  }

  private void dropAll() {
    for (Socket s : open) {
      quietClose(s);
    }
    open.clear();
  }

  private static Thread daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void quietClose(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    quietClose(server);
    dropAll();
  }

  public boolean isClosed() {
    return closed;
  }
}

package io.vigil.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 in front of a real server, for injecting faults with real sockets:
 * {@link #pass()}, {@link #refuse()} (nothing listens: connections are refused), {@link #blackhole()}
 * (accepts, never answers), {@link #delay(Duration)} (every chunk late), {@link #garbage()} (answers
 * junk). Each switch drops the connections already open, as a restart or a cut would, so pooled
 * clients notice. Plain threads: test code that never runs on a Vert.x event loop.
 *
 * <p>In PASS mode the proxy follows its upstream: once the real server refuses a connection (it was
 * stopped), the proxy stops listening too, so clients see "connection refused" as they would without
 * it, and it listens again as soon as the upstream accepts. A test can thus restart the real server
 * and see what a client of that server sees.
 *
 * <p>It counts the client connections it accepts and the most open at once ({@link #counts()}), so
 * a test can bound what a check does to its target.
 */
public final class FaultProxy implements AutoCloseable {
  private enum Mode { PASS, REFUSE, BLACKHOLE, DELAY, GARBAGE }

  /** Client connections accepted, and the most open at once, since the last {@link #resetCounts()}. */
  public record Counts(int accepted, int peakOpen) {}

  private static final long FOLLOW_POLL_MS = 20;

  private final String upstreamHost;
  private final int upstreamPort;
  private final int port;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger peakOpen = new AtomicInteger();
  private volatile Mode mode = Mode.PASS;
  private volatile long delayMs;
  private volatile ServerSocket server;
  private volatile Thread acceptor;
  private volatile boolean upstreamDown;
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

  /** What clients did since the last reset. */
  public Counts counts() {
    return new Counts(accepted.get(), peakOpen.get());
  }

  /** Starts counting again; the peak starts at the connections open now. */
  public synchronized void resetCounts() {
    accepted.set(0);
    peakOpen.set(clients.size());
  }

  /** Client connections open now. */
  public int openConnections() {
    return clients.size();
  }

  private void switchTo(Mode next) {
    mode = next;
    upstreamDown = false;
    dropAll();
    try {
      if (next == Mode.REFUSE) {
        server.close();
        awaitAcceptor();
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
    acceptor = daemon("fault-proxy-accept-" + port, () -> {
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
    if (listener != server || listener.isClosed() || mode == Mode.REFUSE || upstreamDown) {
      quietClose(client);
      return null;
    }
    open.add(client);
    clients.add(client);
    accepted.incrementAndGet();
    peakOpen.accumulateAndGet(clients.size(), Math::max);
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
      clients.remove(client);
    }
  }

  private void forward(Socket client, long lateMs) throws IOException {
    Socket upstream = new Socket();
    open.add(upstream);
    try {
      try {
        upstream.connect(new InetSocketAddress(upstreamHost, upstreamPort), 2000);
      } catch (ConnectException refused) {
        followUpstreamDown();
        client.setSoLinger(true, 0); // reset, as close to a refusal as an accepted connection gets
        return;
      }
      Thread back = daemon("fault-proxy-back", () -> pump(upstream, client, lateMs));
      pump(client, upstream, lateMs);
      back.interrupt();
    } finally {
      quietClose(upstream);
      open.remove(upstream);
    }
  }

  /** The real server refuses: stop listening like it, until it accepts again (PASS mode only). */
  private synchronized void followUpstreamDown() {
    if (mode != Mode.PASS || upstreamDown || closed) {
      return;
    }
    upstreamDown = true;
    quietClose(server);
    dropAll();
    daemon("fault-proxy-follow-" + port, this::awaitUpstream);
  }

  private void awaitUpstream() {
    while (upstreamDown && !closed) {
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress(upstreamHost, upstreamPort), 500);
        followUpstreamUp();
        return;
      } catch (IOException stillDown) {
        try {
          Thread.sleep(FOLLOW_POLL_MS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private synchronized void followUpstreamUp() {
    if (!upstreamDown || closed || mode != Mode.PASS) {
      return;
    }
    upstreamDown = false;
    try {
      server = listen(port);
      acceptLoop(server);
    } catch (IOException e) {
      throw new IllegalStateException("fault proxy cannot listen again on " + port, e);
    }
  }

  /**
   * Copies {@code from} to {@code to}, each chunk {@code lateMs} late. Reading never waits for the
   * delayed writes, so a client that hangs up is seen (and stops counting as open) at once, not a
   * delay later.
   */
  private void pump(Socket from, Socket to, long lateMs) {
    ScheduledExecutorService late = lateMs > 0 ? Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "fault-proxy-late");
      t.setDaemon(true);
      return t;
    }) : null;
    byte[] buf = new byte[16 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buf)) != -1) {
        if (late == null) {
          out.write(buf, 0, n);
          out.flush();
        } else {
          byte[] chunk = Arrays.copyOf(buf, n);
          late.schedule(() -> write(out, chunk, from, to), lateMs, TimeUnit.MILLISECONDS);
        }
      }
    } catch (IOException e) {
      // one side went away
    } finally {
      clients.remove(from); // a client that hung up holds no connection any more
      if (late == null) {
        quietClose(from);
        quietClose(to);
      } else {
        late.schedule(() -> {
          quietClose(from);
          quietClose(to);
        }, lateMs, TimeUnit.MILLISECONDS); // after the chunks still on their way
        late.shutdown();
      }
    }
  }

  private static void write(OutputStream out, byte[] chunk, Socket from, Socket to) {
    try {
      out.write(chunk);
      out.flush();
    } catch (IOException e) {
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
    clients.clear();
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
    awaitAcceptor();
    dropAll();
  }

  /**
   * Waits for the accept thread to leave {@code accept()}: until it does, the JDK keeps a closed
   * ServerSocket listening, and the kernel can still accept a connection that should be refused.
   * Call it holding this proxy's lock.
   */
  private void awaitAcceptor() {
    Thread t = acceptor;
    long deadline = System.nanoTime() + 5_000_000_000L;
    try {
      // wait(), not join(): called under this proxy's lock, which the accept thread's register() needs.
      while (t != null && t != Thread.currentThread() && t.isAlive() && System.nanoTime() < deadline) {
        wait(10);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public boolean isClosed() {
    return closed;
  }
}

package io.vigil.hostile;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Thousands of hostile HTTP clients from one JVM: plain NIO, one selector thread per kind, so 4,000
 * sockets cost four threads. All kinds start at the same moment and open their connections evenly
 * over the ramp given (zero: all in one burst). A kind never
 * retries except the scrapers (a Prometheus server that is cut off reconnects); what the server
 * did to each kind (accepted, refused, answered, closed) is counted.
 */
final class HostileClients implements AutoCloseable {
  /** The kinds of client; {@code label} names them in the summary and in {@code -Dvigil.hostile.kinds}. */
  enum Kind {
    /** GET /events, read the 12 bytes of the status line (200 or a refusal), then never read again. */
    EVENTS("events"),
    /** Slowloris: a request line, then one header byte every 3 s; the head never ends. */
    SLOW_HEADERS("slowHeaders"),
    /** {@link HostileClients#PIPELINE_DEPTH} pipelined GET /metrics written at once; no answer is ever read. */
    PIPELINED("pipelined"),
    /** GET /metrics back to back on a keep-alive connection, each answer read fully; reconnect 1 s after a close. */
    SCRAPERS("scrapers");

    final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  static final int PIPELINE_DEPTH = 256;
  /**
   * The nice value of the client threads ({@code -Dvigil.hostile.nice}, default 10). Real hostile
   * clients run on other machines; here they share the monitor's two cores, and at equal priority
   * their own CPU in the storm would be taken from the monitor. Niced, they still send everything at
   * the same moment, but the kernel gives the monitor (and the prober, not niced) the CPU first.
   * {@code -Dvigil.hostile.nice=0} gives the attack equal priority.
   */
  static final int NICE = Integer.getInteger("vigil.hostile.nice", 10);
  /**
   * Receive buffer of the clients that never read. Without it loopback autotuning lets each socket
   * swallow up to net.ipv4.tcp_rmem's maximum (32 MB here) of kernel memory before the server sees
   * a full write queue: 2,000 such sockets would take the machine's memory, not the server's.
   */
  private static final int NEVER_READ_RCVBUF = 16 * 1024;
  private static final long SLOW_BYTE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(3);
  private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final long RECONNECT_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final byte[] SLOW_PREFIX = "X-Slow: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] METRICS = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: vigil-hostile\r\n\r\n"
      .getBytes(StandardCharsets.US_ASCII);

  /** What happened to one kind's connections; updated by its thread, read by any. */
  static final class Stats {
    final LongAdder attempts = new LongAdder();
    final LongAdder connected = new LongAdder();
    final LongAdder connectFailed = new LongAdder();
    final LongAdder closedByServer = new LongAdder();
    final LongAdder errors = new LongAdder();
    /** Per kind: header bytes sent, requests written, or whole scrapes read. */
    final LongAdder work = new LongAdder();
    final LongAdder bytesRead = new LongAdder();
    final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    final Map<String, LongAdder> connectErrors = new ConcurrentHashMap<>();

    void status(int code) {
      statuses.computeIfAbsent(code, c -> new LongAdder()).increment();
    }

    long pending() {
      return attempts.sum() - connected.sum() - connectFailed.sum();
    }
  }

  private final Map<Kind, Driver> drivers = new EnumMap<>(Kind.class);
  private final CountDownLatch go = new CountDownLatch(1);
  private final long rampNanos;

  /**
   * Prepares {@code perKind} clients of each of {@code kinds} (the others open no connection), each
   * kind opening its connections evenly over {@code ramp} from {@link #start}.
   */
  HostileClients(InetSocketAddress server, Set<Kind> kinds, int perKind, java.time.Duration ramp) throws IOException {
    this.rampNanos = ramp.toNanos();
    for (Kind k : Kind.values()) {
      int n = kinds.contains(k) ? perKind : 0;
      drivers.put(k, switch (k) {
        case EVENTS -> new EventsDriver(server, n);
        case SLOW_HEADERS -> new SlowHeadersDriver(server, n);
        case PIPELINED -> new PipelinedDriver(server, n);
        case SCRAPERS -> new ScrapersDriver(server, n);
      });
    }
    for (Driver d : drivers.values()) {
      d.thread.start();
    }
  }

  /** Releases every kind at once: each thread opens its connections over the ramp. */
  void start() {
    go.countDown();
  }

  Stats stats(Kind kind) {
    return drivers.get(kind).stats;
  }

  /** Connections of every kind still being opened (attempted, neither connected nor refused yet). */
  long pending() {
    return drivers.values().stream().mapToLong(d -> d.stats.pending()).sum();
  }

  /** The first exception that stopped a driver thread (a bug in the test, not in the server), or null. */
  Throwable failure() {
    return drivers.values().stream().map(d -> d.failure).filter(f -> f != null).findFirst().orElse(null);
  }

  /** One line: per kind, connections attempted, connected, refused, still pending, answers, closes. */
  String line() {
    StringBuilder b = new StringBuilder();
    for (Kind k : Kind.values()) {
      Stats s = stats(k);
      Map<Integer, Long> statuses = new TreeMap<>();
      s.statuses.forEach((code, n) -> statuses.put(code, n.sum()));
      Map<String, Long> connectErrors = new TreeMap<>();
      s.connectErrors.forEach((e, n) -> connectErrors.put(e, n.sum()));
      b.append(b.length() == 0 ? "" : " ").append(k.label).append("{attempts=").append(s.attempts.sum())
          .append(" connected=").append(s.connected.sum()).append(" refused=").append(s.connectFailed.sum())
          .append(connectErrors.isEmpty() ? "" : connectErrors.toString())
          .append(" pending=").append(s.pending())
          .append(" answers=").append(statuses)
          .append(" closedByServer=").append(s.closedByServer.sum());
      switch (k) {
        case SLOW_HEADERS -> b.append(" headerBytesSent=").append(s.work.sum());
        case PIPELINED -> b.append(" requestsWritten=").append(s.work.sum());
        case SCRAPERS -> b.append(" scrapes=").append(s.work.sum()).append(" MiBRead=").append(s.bytesRead.sum() >> 20);
        default -> { }
      }
      if (s.errors.sum() > 0) {
        b.append(" clientErrors=").append(s.errors.sum());
      }
      b.append('}');
    }
    return b.toString();
  }

  @Override
  public void close() throws InterruptedException {
    go.countDown();
    for (Driver d : drivers.values()) {
      d.running = false;
      d.selector.wakeup();
    }
    for (Driver d : drivers.values()) {
      d.thread.join(10_000);
    }
  }

  /** One connection and the state any kind keeps for it. */
  private static final class Conn {
    final int index;
    SocketChannel channel;
    SelectionKey key;
    ByteBuffer out;
    ByteBuffer statusLine;
    ResponseParser parser;
    long nextAt;
    int sent;
    boolean closed;

    Conn(int index) {
      this.index = index;
    }
  }

  /** One kind's selector thread: opens {@code count} connections at {@code go}, then runs the kind's behaviour. */
  private abstract class Driver implements Runnable {
    final Kind kind;
    final InetSocketAddress server;
    final int count;
    final Stats stats = new Stats();
    final Selector selector;
    final Thread thread;
    final List<Conn> conns = new ArrayList<>();
    volatile boolean running = true;
    volatile Throwable failure;

    Driver(Kind kind, InetSocketAddress server, int count) throws IOException {
      this.kind = kind;
      this.server = server;
      this.count = count;
      this.selector = Selector.open();
      this.thread = new Thread(this, "hostile-" + kind.label);
      thread.setDaemon(true);
    }

    @Override
    public void run() {
      try {
        if (NICE != 0) {
          Nice.thisThread(NICE);
        }
        go.await();
        long from = System.nanoTime();
        long lastTick = 0;
        while (running) {
          long elapsed = System.nanoTime() - from;
          int due = elapsed >= rampNanos ? count : (int) (count * elapsed / rampNanos);
          while (conns.size() < due && running) {
            Conn c = new Conn(conns.size());
            conns.add(c);
            connect(c);
          }
          selector.select(conns.size() < count ? 1 : 20);
          for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
            SelectionKey k = it.next();
            it.remove();
            handle(k, (Conn) k.attachment());
          }
          long now = System.nanoTime();
          if (now - lastTick >= TICK_NANOS) { // timers need 10 ms precision, not one pass per select
            lastTick = now;
            tick(now);
          }
        }
      } catch (Throwable t) {
        failure = t;
      } finally {
        for (Conn c : conns) {
          closeQuietly(c);
        }
        try {
          selector.close();
        } catch (IOException ignored) {
          // closing: nothing left to do
        }
      }
    }

    private void handle(SelectionKey k, Conn c) {
      try {
        if (!k.isValid()) {
          return;
        }
        if (k.isConnectable()) {
          finishConnect(c);
          return;
        }
        if (k.isReadable()) {
          readable(c);
        }
        if (k.isValid() && k.isWritable()) {
          flush(c);
        }
      } catch (IOException e) {
        closedByServer(c);
      } catch (RuntimeException e) {
        stats.errors.increment(); // an answer this client could not parse
        closeQuietly(c);
      }
    }

    void connect(Conn c) throws IOException {
      c.closed = false;
      c.out = null;
      stats.attempts.increment();
      SocketChannel ch = SocketChannel.open();
      c.channel = ch;
      try {
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        if (neverReads()) {
          ch.setOption(StandardSocketOptions.SO_RCVBUF, NEVER_READ_RCVBUF);
        }
        if (ch.connect(server)) {
          c.key = ch.register(selector, 0, c);
          connected(c);
        } else {
          c.key = ch.register(selector, SelectionKey.OP_CONNECT, c);
        }
      } catch (IOException e) {
        connectFailed(c, e);
      }
    }

    private void finishConnect(Conn c) {
      try {
        c.channel.finishConnect();
      } catch (IOException e) {
        connectFailed(c, e);
        return;
      }
      try {
        connected(c);
      } catch (IOException e) {
        closedByServer(c);
      }
    }

    private void connectFailed(Conn c, IOException e) {
      stats.connectFailed.increment();
      stats.connectErrors.computeIfAbsent(String.valueOf(e.getMessage()), m -> new LongAdder()).increment();
      closeQuietly(c);
      afterClose(c);
    }

    private void connected(Conn c) throws IOException {
      stats.connected.increment();
      onConnected(c);
    }

    /** Writes what is queued in {@code c.out}; asks for OP_WRITE while some is left. */
    void send(Conn c, ByteBuffer bytes) throws IOException {
      c.out = bytes;
      flush(c);
    }

    void flush(Conn c) throws IOException {
      if (c.out != null) {
        int before = c.out.position();
        c.channel.write(c.out);
        written(c, c.out.position() - before);
        if (!c.out.hasRemaining()) {
          c.out = null;
        }
      }
      if (c.key.isValid()) {
        int ops = c.key.interestOps();
        c.key.interestOps(c.out != null ? ops | SelectionKey.OP_WRITE : ops & ~SelectionKey.OP_WRITE);
      }
    }

    void closedByServer(Conn c) {
      if (!c.closed) {
        stats.closedByServer.increment();
      }
      closeQuietly(c);
      afterClose(c);
    }

    void closeQuietly(Conn c) {
      c.closed = true;
      if (c.key != null) {
        c.key.cancel();
      }
      try {
        if (c.channel != null) {
          c.channel.close();
        }
      } catch (IOException ignored) {
        // already gone
      }
    }

    void interest(Conn c, int ops) {
      if (c.key.isValid()) {
        c.key.interestOps(ops | (c.out != null ? SelectionKey.OP_WRITE : 0));
      }
    }

    boolean neverReads() {
      return false;
    }

    abstract void onConnected(Conn c) throws IOException;

    void readable(Conn c) throws IOException {
      throw new IllegalStateException(kind + " does not read");
    }

    void written(Conn c, int bytes) {
    }

    void afterClose(Conn c) {
    }

    void tick(long now) throws IOException {
    }
  }

  /** Idle SSE subscribers: the status line tells accepted (200) from refused (503), then nothing is read. */
  private final class EventsDriver extends Driver {
    private final byte[] request = ("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
        + "User-Agent: vigil-hostile\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

    EventsDriver(InetSocketAddress server, int count) throws IOException {
      super(Kind.EVENTS, server, count);
    }

    @Override
    boolean neverReads() {
      return true;
    }

    @Override
    void onConnected(Conn c) throws IOException {
      c.statusLine = ByteBuffer.allocate("HTTP/1.1 200".length());
      interest(c, SelectionKey.OP_READ);
      send(c, ByteBuffer.wrap(request));
    }

    @Override
    void readable(Conn c) throws IOException {
      if (c.channel.read(c.statusLine) < 0) {
        closedByServer(c);
        return;
      }
      if (!c.statusLine.hasRemaining()) {
        String line = new String(c.statusLine.array(), StandardCharsets.US_ASCII);
        stats.status(Integer.parseInt(line.substring(9, 12)));
        interest(c, 0); // from here on: never read
      }
    }
  }

  /** Slowloris: a request line, then header bytes trickled one at a time, spread over the 3 s period. */
  private final class SlowHeadersDriver extends Driver {
    private final ByteBuffer sink = ByteBuffer.allocate(16 * 1024);

    SlowHeadersDriver(InetSocketAddress server, int count) throws IOException {
      super(Kind.SLOW_HEADERS, server, count);
    }

    @Override
    void onConnected(Conn c) throws IOException {
      c.nextAt = System.nanoTime() + SLOW_BYTE_EVERY_NANOS * c.index / count;
      c.parser = new ResponseParser();
      interest(c, SelectionKey.OP_READ); // only to see the server answer or close
      send(c, ByteBuffer.wrap("GET /metrics HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII)));
    }

    @Override
    void readable(Conn c) throws IOException {
      sink.clear();
      int n = c.channel.read(sink);
      if (n < 0) {
        closedByServer(c);
        return;
      }
      stats.bytesRead.add(n);
      boolean hadHead = c.parser.headRead();
      sink.flip();
      c.parser.feed(sink);
      if (!hadHead && c.parser.headRead()) {
        stats.status(c.parser.status());
      }
    }

    @Override
    void tick(long now) throws IOException {
      for (Conn c : conns) {
        if (c.closed || c.parser == null || c.out != null || now < c.nextAt) {
          continue;
        }
        byte b = c.sent < SLOW_PREFIX.length ? SLOW_PREFIX[c.sent] : (byte) 'a';
        try {
          if (c.channel.write(ByteBuffer.wrap(new byte[] {b})) == 1) {
            c.sent++;
            stats.work.increment();
          }
        } catch (IOException e) {
          closedByServer(c);
        }
        c.nextAt += SLOW_BYTE_EVERY_NANOS;
      }
    }
  }

  /** Pipeliners: many expensive requests queued on one connection whose answers are never read. */
  private final class PipelinedDriver extends Driver {
    PipelinedDriver(InetSocketAddress server, int count) throws IOException {
      super(Kind.PIPELINED, server, count);
    }

    @Override
    boolean neverReads() {
      return true;
    }

    @Override
    void onConnected(Conn c) throws IOException {
      ByteBuffer all = ByteBuffer.allocate(METRICS.length * PIPELINE_DEPTH);
      for (int i = 0; i < PIPELINE_DEPTH; i++) {
        all.put(METRICS);
      }
      all.flip();
      interest(c, 0);
      send(c, all);
    }

    @Override
    void written(Conn c, int bytes) {
      int before = c.sent / METRICS.length;
      c.sent += bytes;
      stats.work.add(c.sent / METRICS.length - before);
    }
  }

  /** Prometheus gone wrong: scrape, read the whole answer, scrape again at once. */
  private final class ScrapersDriver extends Driver {
    private final ByteBuffer in = ByteBuffer.allocateDirect(256 * 1024);

    ScrapersDriver(InetSocketAddress server, int count) throws IOException {
      super(Kind.SCRAPERS, server, count);
    }

    @Override
    void onConnected(Conn c) throws IOException {
      c.nextAt = 0;
      scrape(c);
    }

    private void scrape(Conn c) throws IOException {
      c.parser = new ResponseParser();
      interest(c, SelectionKey.OP_READ);
      send(c, ByteBuffer.wrap(METRICS));
    }

    @Override
    void readable(Conn c) throws IOException {
      in.clear();
      int n = c.channel.read(in);
      if (n < 0) {
        if (c.parser.endOfStream()) {
          answered(c);
        }
        closedByServer(c);
        return;
      }
      stats.bytesRead.add(n);
      in.flip();
      if (c.parser.feed(in)) {
        answered(c);
        if (c.parser.closesConnection()) {
          closedByServer(c);
        } else {
          scrape(c);
        }
      }
    }

    private void answered(Conn c) {
      stats.status(c.parser.status());
      if (c.parser.status() == 200) {
        stats.work.increment();
      }
    }

    @Override
    void afterClose(Conn c) {
      c.nextAt = System.nanoTime() + RECONNECT_AFTER_NANOS;
    }

    @Override
    void tick(long now) throws IOException {
      for (Conn c : conns) {
        if (c.closed && c.nextAt > 0 && now >= c.nextAt && running) {
          c.nextAt = 0;
          connect(c);
        }
      }
    }
  }
}

package io.vigil.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A kubelet-like prober: every {@code period} it starts one probe, alternating between its paths,
 * each on a NEW TCP connection ({@code Connection: close}) with a deadline of {@code timeout} for
 * connect, send and the whole answer. Probes are started on a fixed schedule by one thread and run
 * on a pool, so a stalled server does not slow the schedule down and hide its own stall
 * (coordinated omission): every slot gets a probe and a latency.
 */
final class FreshConnectionProber implements AutoCloseable {
  /** One probe: path, when it was due and when it started (nanoTime), its latency, status or error. */
  record Probe(String path, long dueNanos, long startNanos, long latencyNanos, int status, String error) {
    boolean ok() {
      return error == null && status == 200;
    }

    /** What went wrong, as a short key for counting: "timeout", "refused", "status 503", ... */
    String failure() {
      return error != null ? error : "status " + status;
    }
  }

  private final InetSocketAddress address;
  private final List<String> paths;
  private final long periodNanos;
  private final int timeoutMs;
  private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(r -> thread(r, "prober-clock"));
  private final ExecutorService workers = Executors.newFixedThreadPool(128, r -> thread(r, "prober"));
  private final ConcurrentLinkedQueue<Probe> probes = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong slot = new AtomicLong();
  private volatile boolean recording;
  private long startNanos;

  FreshConnectionProber(int port, List<String> paths, long periodMs, int timeoutMs) {
    this.address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    this.paths = List.copyOf(paths);
    this.periodNanos = TimeUnit.MILLISECONDS.toNanos(periodMs);
    this.timeoutMs = timeoutMs;
  }

  private static Thread thread(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** Starts the schedule; probes are recorded until {@link #stop}. Callers split them by {@link Probe#dueNanos}. */
  void start() {
    startNanos = System.nanoTime();
    recording = true;
    clock.scheduleAtFixedRate(this::tick, 0, periodNanos, TimeUnit.NANOSECONDS);
  }

  private void tick() {
    long n = slot.getAndIncrement();
    long due = startNanos + n * periodNanos;
    String path = paths.get((int) (n % paths.size()));
    inFlight.incrementAndGet();
    workers.execute(() -> {
      try {
        Probe p = probe(path, due);
        if (recording) {
          probes.add(p);
        }
      } finally {
        inFlight.decrementAndGet();
      }
    });
  }

  /** Stops the schedule, waits for the probes in flight (each ends within its timeout) and returns all of them. */
  List<Probe> stop() throws InterruptedException {
    clock.shutdownNow();
    clock.awaitTermination(1, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs + 2000L);
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    recording = false;
    List<Probe> all = new ArrayList<>(probes);
    all.sort(Comparator.comparingLong(Probe::dueNanos));
    return all;
  }

  private Probe probe(String path, long due) {
    long start = System.nanoTime();
    long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: vigil-hostile-prober\r\n"
        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    try (Socket s = new Socket()) {
      s.setTcpNoDelay(true);
      try {
        s.connect(address, timeoutMs);
      } catch (SocketTimeoutException e) {
        return new Probe(path, due, start, System.nanoTime() - start, -1, "connect timeout");
      }
      s.getOutputStream().write(request);
      InputStream in = s.getInputStream();
      ResponseParser parser = new ResponseParser();
      byte[] buf = new byte[8192];
      while (true) {
        int left = (int) TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return new Probe(path, due, start, System.nanoTime() - start, parser.status(), "answer timeout");
        }
        s.setSoTimeout(left);
        int n = in.read(buf);
        if (n < 0) {
          if (parser.endOfStream()) {
            break;
          }
          return new Probe(path, due, start, System.nanoTime() - start, parser.status(),
              parser.headRead() ? "closed mid-body" : "closed before an answer");
        }
        if (parser.feed(ByteBuffer.wrap(buf, 0, n))) {
          break;
        }
      }
      return new Probe(path, due, start, System.nanoTime() - start, parser.status(), null);
    } catch (SocketTimeoutException e) {
      return new Probe(path, due, start, System.nanoTime() - start, -1, "answer timeout");
    } catch (ConnectException e) {
      return new Probe(path, due, start, System.nanoTime() - start, -1, "refused");
    } catch (IOException | RuntimeException e) {
      return new Probe(path, due, start, System.nanoTime() - start, -1, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /** Count, failures by kind, latency percentiles: the figures of a list of probes. */
  record Figures(int count, int failures, Map<String, Integer> failuresByKind, double p50Ms, double p99Ms, double maxMs,
                 double maxLagMs) {
    static Figures of(List<Probe> probes) {
      long[] latencies = probes.stream().mapToLong(Probe::latencyNanos).sorted().toArray();
      Map<String, Integer> byKind = new LinkedHashMap<>();
      probes.stream().filter(p -> !p.ok()).forEach(p -> byKind.merge(p.path() + " " + p.failure(), 1, Integer::sum));
      double maxLag = probes.stream().mapToLong(p -> p.startNanos() - p.dueNanos()).max().orElse(0) / 1e6;
      return new Figures(latencies.length, byKind.values().stream().mapToInt(Integer::intValue).sum(), byKind,
          percentile(latencies, 50), percentile(latencies, 99),
          latencies.length == 0 ? Double.NaN : latencies[latencies.length - 1] / 1e6, maxLag);
    }

    /** Nearest rank: the smallest latency that at least {@code p} % of the probes did not exceed. */
    private static double percentile(long[] sorted, int p) {
      if (sorted.length == 0) {
        return Double.NaN;
      }
      int rank = (int) Math.ceil(p / 100.0 * sorted.length);
      return sorted[Math.max(0, rank - 1)] / 1e6;
    }

    String line() {
      return String.format("count=%d failures=%d p50=%.2fms p99=%.2fms max=%.2fms proberLagMax=%.1fms%s", count, failures,
          p50Ms, p99Ms, maxMs, maxLagMs, failures == 0 ? "" : " failuresByKind=" + failuresByKind);
    }
  }

  @Override
  public void close() {
    clock.shutdownNow();
    workers.shutdownNow();
  }
}

package io.vigil.hostile;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A well-behaved Prometheus beside the hostile clients: scrapes {@code /metrics} every 5 s with
 * Prometheus's default 10 s timeout, from the warm-up on, as a running monitor is scraped. It keeps
 * the scrape path warm as in production, and counts which of its scrapes succeeded before and during
 * the attack (a figure for the summary, not a verdict: under 2,000 hostile scrapers it queues).
 */
final class PrometheusScraper implements AutoCloseable {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final URI uri;
  private final ScheduledExecutorService every = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "prometheus-scraper");
    t.setDaemon(true);
    return t;
  });
  private final AtomicInteger ok = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private volatile int okBefore = -1;
  private volatile int failedBefore = -1;

  PrometheusScraper(int port) {
    this.uri = URI.create("http://127.0.0.1:" + port + "/metrics");
  }

  void start() {
    every.scheduleWithFixedDelay(this::scrape, 0, 5, TimeUnit.SECONDS);
  }

  /** Marks the start of the attack: scrapes from here on count as during it. */
  void attackStarts() {
    okBefore = ok.get();
    failedBefore = failed.get();
  }

  private void scrape() {
    try {
      HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      (r.statusCode() == 200 ? ok : failed).incrementAndGet();
    } catch (Exception e) {
      failed.incrementAndGet();
    }
  }

  String line() {
    int ob = Math.max(0, okBefore);
    int fb = Math.max(0, failedBefore);
    return String.format("prometheus scrapes (every 5 s, 10 s timeout): before ok=%d failed=%d, during ok=%d failed=%d",
        ob, fb, ok.get() - ob, failed.get() - fb);
  }

  @Override
  public void close() {
    every.shutdownNow();
  }
}

package io.vigil.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vigil.testsupport.MonitorFixture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * N http targets {@code /t/0 .. /t/N-1} on one real port, each remembering when it was asked (the
 * test's monotonic clock), so a test sees who probes what and how often. A target can be switched to
 * answer 503.
 */
public final class CountingTarget implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final Map<Integer, List<Long>> hits = new ConcurrentHashMap<>();
  private final Set<Integer> failing = ConcurrentHashMap.newKeySet();
  private final HttpServer server;

  public CountingTarget(int n) {
    for (int i = 0; i < n; i++) {
      hits.put(i, new CopyOnWriteArrayList<>());
    }
    server = MonitorFixture.await(vertx.createHttpServer().requestHandler(req -> {
      String path = req.path();
      int i = path.startsWith("/t/") ? Integer.parseInt(path.substring(3)) : -1;
      List<Long> at = hits.get(i);
      if (at == null) {
        req.response().setStatusCode(404).end();
        return;
      }
      at.add(System.nanoTime());
      req.response().setStatusCode(failing.contains(i) ? 503 : 200).end("ok");
    }).listen(0, "127.0.0.1"));
  }

  int port() {
    return server.actualPort();
  }

  public String url(int i) {
    return "http://127.0.0.1:" + port() + "/t/" + i;
  }

  public void fail(int i, boolean on) {
    if (on) {
      failing.add(i);
    } else {
      failing.remove(i);
    }
  }

  /** How often target {@code i} was asked in [from, to) (monotonic nanos). */
  int hits(int i, long from, long to) {
    return (int) hits.get(i).stream().filter(t -> t >= from && t < to).count();
  }

  /** The longest time without a request to {@code i} within [from, to), in milliseconds. */
  long longestGapMs(int i, long from, long to) {
    List<Long> at = new ArrayList<>(hits.get(i).stream().filter(t -> t >= from && t < to).toList());
    at.add(0, from);
    at.add(to);
    long gap = 0;
    for (int k = 1; k < at.size(); k++) {
      gap = Math.max(gap, at.get(k) - at.get(k - 1));
    }
    return gap / 1_000_000;
  }

  @Override
  public void close() {
    vertx.close();
  }
}

package io.vigil.bench;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The check-cost baseline ({@code bench/checkcost.py}): the requests Vigil's http checks make, from
 * a bare WebClient loop with no monitor around it. Target {@code i} is asked {@code GET /t/i}
 * every interval on Vigil's schedule (first request within 100 ms, the next one planned when the
 * previous ends, ±5% jitter of at most 250 ms), its status compared with 200, and nothing else:
 * no timeout timers, no board, no events, no metrics. One shared keep-alive pool as large as
 * {@code N}, so no request waits for a connection (Vigil keeps one pool per check).
 *
 * <p>Usage: {@code BaselineLoop TARGET_PORT N INTERVAL_MS}.
 */
public final class BaselineLoop extends VerticleBase {
  private final int port;
  private final int targets;
  private final long intervalMs;
  private WebClient client;
  private long failures;

  private BaselineLoop(int port, int targets, long intervalMs) {
    this.port = port;
    this.targets = targets;
    this.intervalMs = intervalMs;
  }

  public static void main(String[] args) {
    BenchMain.deploy(new BaselineLoop(Integer.parseInt(args[0]), Integer.parseInt(args[1]), Long.parseLong(args[2])));
  }

  @Override
  public Future<?> start() {
    client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setUserAgent("vigil-bench-baseline"),
        new PoolOptions().setHttp1MaxSize(targets).setMaxWaitQueueSize(-1));
    long first = Math.max(1, Math.min(100, intervalMs / 10));
    for (int i = 0; i < targets; i++) {
      schedule(i, 1 + ThreadLocalRandom.current().nextLong(first));
    }
    return Future.succeededFuture();
  }

  private void schedule(int target, long delayMs) {
    vertx.setTimer(Math.max(1, delayMs), id -> request(target));
  }

  private void request(int target) {
    long started = System.nanoTime();
    client.get(port, "127.0.0.1", "/t/" + target).send().onComplete(ar -> {
      if (ar.failed() || ar.result().statusCode() != 200) {
        failures++;
      }
      long elapsedMs = (System.nanoTime() - started) / 1_000_000;
      schedule(target, intervalMs - elapsedMs + jitter());
    });
  }

  private long jitter() {
    long bound = Math.min(250, intervalMs / 20);
    return bound == 0 ? 0 : ThreadLocalRandom.current().nextLong(-bound, bound + 1);
  }
}

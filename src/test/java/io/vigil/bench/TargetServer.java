package io.vigil.bench;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.BitSet;

/**
 * The N HTTP targets of the check-cost benchmark ({@code bench/checkcost.py}) on one port:
 * {@code GET /t/{i}} answers {@code {"status":"UP"}} and notes when target {@code i} was last asked,
 * so the time between two requests to the same target (the interval a check really kept) is
 * measured where the request lands, without asking the monitor under test for anything.
 *
 * <p>{@code GET /stats} returns {@code {requests, distinct, connections, intervalsUs}} for the
 * window since the last {@code /stats?reset=1} (which starts a new one). One verticle, so one
 * event loop touches the counters: no locks.
 *
 * <p>Usage: {@code TargetServer PORT N}. Listens on 127.0.0.1 only.
 */
public final class TargetServer extends VerticleBase {
  private static final String BODY = "{\"status\":\"UP\"}";
  private final int port;
  private final long[] lastNanos;
  private final BitSet seen;
  private long[] intervalsUs = new long[1 << 16];
  private int intervals;
  private long requests;
  private int connections;

  private TargetServer(int port, int targets) {
    this.port = port;
    this.lastNanos = new long[targets];
    this.seen = new BitSet(targets);
  }

  public static void main(String[] args) {
    BenchMain.deploy(new TargetServer(Integer.parseInt(args[0]), Integer.parseInt(args[1])));
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port).setAcceptBacklog(4096))
        .connectionHandler(conn -> {
          connections++;
          conn.closeHandler(v -> connections--);
        })
        .requestHandler(this::handle)
        .listen();
  }

  private void handle(HttpServerRequest req) {
    String path = req.path();
    if (path.startsWith("/t/")) {
      int i = Integer.parseInt(path, 3, path.length(), 10);
      long now = System.nanoTime();
      if (lastNanos[i] != 0) {
        record((now - lastNanos[i]) / 1000);
      }
      lastNanos[i] = now;
      seen.set(i);
      requests++;
      req.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(BODY);
    } else if (path.equals("/stats")) {
      JsonObject stats = new JsonObject().put("requests", requests).put("distinct", seen.cardinality())
          .put("connections", connections)
          .put("intervalsUs", new JsonArray(Arrays.stream(intervalsUs, 0, intervals).boxed().toList()));
      if (req.params().contains("reset")) {
        requests = 0;
        intervals = 0;
        seen.clear();
      }
      req.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(stats.encode());
    } else {
      req.response().setStatusCode(404).end();
    }
  }

  private void record(long us) {
    if (intervals == intervalsUs.length) {
      intervalsUs = Arrays.copyOf(intervalsUs, intervals * 2);
    }
    intervalsUs[intervals++] = us;
  }
}

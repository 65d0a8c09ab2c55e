package io.vigil.check;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One HTTP client for all the http checks of a Vert.x instance that have the same client options
 * and run on the same event loop. A client of its own per check cost each check a pool and a
 * connection kept alive between probes: at 10,000 checks of one target 10,000 sockets and most of
 * the live heap. Shared, the checks of one target reuse a few idle connections.
 *
 * <p>Each check keeps its own budget: it has at most one probe in flight ({@link CheckRunner}), and
 * a probe that timed out resets its connection ({@link HttpCheck#abort()}). So the pool is not
 * bounded by a size (a bound below the number of checks would make a probe wait for another
 * check's connection, and measure that wait as the target's latency, or fail as "pool full" when
 * the target hangs); the number of checks bounds it, as one pool of two per check did.
 */
final class SharedHttpClients {
  /** Far above any number of probes in flight at once on one loop, i.e. no bound of its own. */
  static final int MAX_CONNECTIONS_PER_TARGET = 1 << 20;

  private record Key(Vertx vertx, Thread loop, String options) {}

  /** A client and the checks using it; closed when the last one is done. */
  static final class Lease {
    private final Key key;
    final HttpClient client;
    private int users;

    private Lease(Key key, HttpClient client) {
      this.key = key;
      this.client = client;
    }

    /** The check no longer uses the client; the last one closes it. */
    Future<Void> release() {
      synchronized (CLIENTS) {
        if (--users > 0) {
          return Future.succeededFuture();
        }
        CLIENTS.remove(key);
      }
      return client.close();
    }
  }

  private static final Map<Key, Lease> CLIENTS = new ConcurrentHashMap<>();

  private SharedHttpClients() {}

  /** The client for {@code options} on the calling event loop (or for callers off any loop). */
  static Lease acquire(Vertx vertx, HttpClientOptions options) {
    Thread loop = Context.isOnEventLoopThread() ? Thread.currentThread() : null;
    Key key = new Key(vertx, loop, options.toJson().encode());
    synchronized (CLIENTS) {
      Lease lease = CLIENTS.computeIfAbsent(key, k -> new Lease(k, vertx.createHttpClient(options,
          new PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS_PER_TARGET).setMaxWaitQueueSize(-1))));
      lease.users++;
      return lease;
    }
  }

  /** How many shared clients exist (tests). */
  static int count() {
    return CLIENTS.size();
  }
}

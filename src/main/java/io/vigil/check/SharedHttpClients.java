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
 * a probe that timed out resets its connection ({@link HttpCheck#abort()}). A client serves at most
 * {@link #CHECKS_PER_CLIENT} checks and may open as many connections to one target, so a probe never
 * waits for another check's connection (it would measure that wait as the target's latency, or fail
 * as "pool full" when the target hangs); more checks of the same options get another client. The
 * bound is also the size of an array each target's pool allocates when it is made, again after a
 * refused target's pool emptied: unbounded (2^20) it was 4 MiB per probe of a target that is down.
 */
final class SharedHttpClients {
  /**
   * Checks per client, and so connections per target and client; a pool of it weighs 32 KiB. Smaller
   * clients keep their idle connections apart: at 1,024 checks each, 50,000 checks of one target
   * opened more than 8,250 connections where one client per event loop needed 5,738.
   */
  static final int CHECKS_PER_CLIENT = 8192;

  private record Key(Vertx vertx, Thread loop, String options, int shard) {}

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
    String json = options.toJson().encode();
    synchronized (CLIENTS) {
      for (int shard = 0; ; shard++) {
        Lease lease = CLIENTS.computeIfAbsent(new Key(vertx, loop, json, shard), k -> new Lease(k,
            vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(CHECKS_PER_CLIENT)
                .setMaxWaitQueueSize(-1))));
        if (lease.users < CHECKS_PER_CLIENT) {
          lease.users++;
          return lease;
        }
      }
    }
  }

  /** How many shared clients exist (tests). */
  static int count() {
    return CLIENTS.size();
  }
}

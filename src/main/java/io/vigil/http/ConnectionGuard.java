package io.vigil.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Bounds what connections can hold of one listener, over all HTTP verticle instances:
 *
 * <ul>
 *   <li><b>A cap</b> ({@code server.max-connections}). Past it, the connection idle the longest (no
 *   request in progress, as nginx reuses its idle keep-alive connections when it runs out) is
 *   closed to make room; only when none is idle is the newcomer refused. A probe arrives on a fresh
 *   connection and sends its request at once, so idle hoarders go first and the probe gets in.</li>
 *   <li><b>An idle timeout</b> ({@code server.idle-timeout}) counted from the connection's last
 *   request, not its last byte, so no trickle of bytes keeps a connection open however it is
 *   paced. Vert.x's own idle timer is set to the same value; in Vert.x 5.0.10 it too closed a
 *   client trickling a header byte every 200 ms (ConnectionGuardTest fails only with both off), so
 *   the two overlap for slowloris; this one is what holds for a keep-alive connection that keeps
 *   its socket busy without ever finishing a request.</li>
 *   <li><b>Back-pressure on pipelining.</b> Vert.x reads the next pipelined request as soon as a
 *   response is handed to the connection, whether or not the client reads its answers; a client
 *   that pipelines and never reads would queue responses without end. A request that arrives while
 *   its connection's write queue is full waits for the queue to drain before it is handled, and
 *   while it waits Vert.x reads no further request from that connection.</li>
 * </ul>
 */
final class ConnectionGuard {
  private static final Logger LOG = Logger.getLogger("vigil.http");
  private static final long SWEEP_MS = 1000;

  /** What the guard knows of one connection; written on its event loop, read by the sweeper. */
  private static final class Tracked {
    volatile long lastRequestNanos = System.nanoTime();
    volatile HttpServerResponse current;

    boolean idle() {
      HttpServerResponse r = current;
      return r == null || r.ended() || r.closed();
    }
  }

  private final Vertx vertx;
  private final int max;
  private final long idleNanos;
  private final String name;
  private final Map<HttpConnection, Tracked> open = new ConcurrentHashMap<>();
  private final AtomicLong evicted = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong deferred = new AtomicLong();
  private final AtomicLong pipelineCut = new AtomicLong();
  private final AtomicBoolean unguardedLogged = new AtomicBoolean();
  private long sweeper = -1;

  ConnectionGuard(Vertx vertx, int max, Duration idleTimeout, String name) {
    this.vertx = vertx;
    this.max = max;
    this.idleNanos = idleTimeout.toNanos();
    this.name = name;
  }

  /** Starts the idle sweep (once, whatever the number of instances). */
  synchronized void start() {
    if (sweeper < 0) {
      sweeper = vertx.setPeriodic(SWEEP_MS, id -> sweep());
    }
  }

  synchronized void stop() {
    if (sweeper >= 0) {
      vertx.cancelTimer(sweeper);
      sweeper = -1;
    }
  }

  /** The server's connection handler. */
  void connected(HttpConnection c) {
    if (!PipelineLimit.install(c, pipelineCut) && unguardedLogged.compareAndSet(false, true)) {
      LOG.warning("pipelining is not limited listener=" + name + " connection=" + c.getClass().getName()
          + ": this Vert.x version does not have the pipeline the limit is installed in");
    }
    open.put(c, new Tracked());
    c.closeHandler(v -> open.remove(c));
    if (open.size() > max && !evictIdlest(c)) {
      refused.incrementAndGet();
      LOG.fine(() -> "connection refused listener=" + name + " reason=max_connections max=" + max);
      c.close();
    }
  }

  /** Wraps the server's request handler with the back-pressure and the bookkeeping above. */
  Handler<HttpServerRequest> guard(Handler<HttpServerRequest> next) {
    return req -> {
      Tracked t = open.get(req.connection());
      HttpServerResponse res = req.response();
      if (t != null) {
        t.lastRequestNanos = System.nanoTime();
        t.current = res;
      }
      if (!res.writeQueueFull()) {
        next.handle(req);
        return;
      }
      deferred.incrementAndGet();
      req.pause();
      res.drainHandler(v -> {
        res.drainHandler(null);
        req.resume();
        next.handle(req);
      });
    };
  }

  int open() {
    return open.size();
  }

  /** Connections closed to make room, refused at the cap, requests held back by a full write queue. */
  long evicted() {
    return evicted.get();
  }

  long refused() {
    return refused.get();
  }

  long deferred() {
    return deferred.get();
  }

  /** Connections closed for pipelining: more than {@link PipelineLimit#MAX_AHEAD} requests ahead of their answers, or in one read. */
  long pipelineCut() {
    return pipelineCut.get();
  }

  private boolean evictIdlest(HttpConnection newcomer) {
    HttpConnection idlest = null;
    long oldest = Long.MAX_VALUE;
    for (Map.Entry<HttpConnection, Tracked> e : open.entrySet()) {
      Tracked t = e.getValue();
      if (e.getKey() != newcomer && t.idle() && t.lastRequestNanos < oldest) {
        oldest = t.lastRequestNanos;
        idlest = e.getKey();
      }
    }
    if (idlest == null) {
      return false;
    }
    open.remove(idlest);
    evicted.incrementAndGet();
    idlest.close();
    return true;
  }

  private void sweep() {
    long now = System.nanoTime();
    for (Map.Entry<HttpConnection, Tracked> e : open.entrySet()) {
      Tracked t = e.getValue();
      if (t.idle() && now - t.lastRequestNanos > idleNanos) {
        e.getKey().close();
      }
    }
  }
}

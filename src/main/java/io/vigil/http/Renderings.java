package io.vigil.http;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vigil.model.Snapshot;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Bodies rendered once per snapshot, kind and tier, and shared by every HTTP verticle instance:
 * a thousand requests for {@code /health} between two changes cost one rendering, not a thousand.
 *
 * <p>The snapshot is immutable and the board replaces it on every change (so on every new seq),
 * which makes it the key: an entry is reused while it was rendered from the very snapshot being
 * served. Comparing the object rather than only its seq also catches the board's changes that keep
 * the seq (draining, a check added).
 *
 * <p>A snapshot of more than {@link #OFF_LOOP_CHECKS} checks is rendered on a thread of its own,
 * never on an event loop, one rendering per key at a time (callers that miss meanwhile share it).
 * Rendering 2,000 checks takes 50-300 ms; on an event loop it delayed every probe of that loop
 * (a burst of {@code /events} subscribers blocked one for 280 ms). Smaller ones are rendered in
 * place: under a millisecond, cheaper than the hop.
 *
 * <p>A large body (over {@link #LARGE} bytes) is reused for up to {@code max(}{@link
 * #LARGE_REUSE_NANOS}{@code , 4 x its rendering time)} after its snapshot was replaced: with
 * thousands of checks the snapshot changes hundreds of times a second, and rendering each would
 * keep the rendering thread busy. The caller gets the snapshot the body was rendered from and
 * answers with that snapshot's status code, so a response never contradicts itself.
 */
final class Renderings {
  static final int LARGE = 64 * 1024;
  /** A check renders to about 250 bytes in the verbose tier, so this many make a body near {@link #LARGE}. */
  static final int OFF_LOOP_CHECKS = 100;
  static final long LARGE_REUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  /** A large body is reused for at least this many times its rendering: at most a fifth of the thread. */
  static final int LARGE_REUSE_FACTOR = 4;

  /** What is rendered; with {@code passed} (the probe's outcome) and the tier it makes the key. */
  enum Kind { MICROPROFILE, HEALTH_JSON, VERBOSE_HEALTH, VERBOSE_READY, VERBOSE_STARTUP, CHECK }

  /** A body, the snapshot it was rendered from, when, and how long the rendering took. */
  record Rendered(Snapshot snapshot, Buffer body, long renderedAtNanos, long tookNanos) {}

  private record Key(Kind kind, Tier tier, boolean passed, String check) {}

  private final Map<Key, Rendered> cache = new ConcurrentHashMap<>();
  private final Map<Key, Future<Rendered>> inFlight = new HashMap<>();
  private final AtomicLong renders = new AtomicLong();
  private final WorkerExecutor worker;

  Renderings(Vertx vertx) {
    // One thread: renderings run one at a time, never on an event loop nor in the shared pool.
    this.worker = vertx.createSharedWorkerExecutor("vigil-render", 1, 60, TimeUnit.SECONDS);
  }

  /**
   * The body of {@code kind} for {@code tier}, rendered from {@code snapshot} unless already done;
   * the future completes on the caller's context.
   */
  Future<Rendered> get(Kind kind, Tier tier, boolean passed, Snapshot snapshot, Function<Snapshot, String> render) {
    return get(kind, tier, passed, snapshot, render, LARGE_REUSE_NANOS);
  }

  /**
   * The same with a large body reused for up to {@code largeReuseNanos} (at least {@link
   * #LARGE_REUSE_FACTOR} renderings): for a caller that brings an older body up to date itself (the
   * SSE hub replays the ring's events after the body's seq). With 0, only a body of {@code snapshot}
   * itself or of a rendering under way is taken.
   */
  Future<Rendered> get(Kind kind, Tier tier, boolean passed, Snapshot snapshot, Function<Snapshot, String> render,
      long largeReuseNanos) {
    Key key = new Key(kind, tier, passed, null);
    Rendered r = cached(key, snapshot, largeReuseNanos);
    if (r != null) {
      return Future.succeededFuture(r);
    }
    if (snapshot.checks().size() <= OFF_LOOP_CHECKS) {
      return Future.succeededFuture(render(key, snapshot, render));
    }
    return onCallersContext(offLoop(key, snapshot, render));
  }

  /** The body of one check (small: rendered in place); names are only those the snapshot holds, so the keys stay bounded. */
  Rendered check(String name, Tier tier, Snapshot snapshot, Function<Snapshot, String> render) {
    Key key = new Key(Kind.CHECK, tier, false, name);
    Rendered r = cached(key, snapshot, LARGE_REUSE_NANOS);
    return r != null ? r : render(key, snapshot, render);
  }

  /** How many bodies were rendered so far (tests assert "once per snapshot"). */
  long renders() {
    return renders.get();
  }

  /** The cached body of {@code key} when it was rendered from {@code snapshot} or may stand for it, else null. */
  private Rendered cached(Key key, Snapshot snapshot, long largeReuseNanos) {
    Rendered r = cache.get(key);
    return r != null && (r.snapshot == snapshot || reusable(r, largeReuseNanos)) ? r : null;
  }

  private static boolean reusable(Rendered r, long largeReuseNanos) {
    return largeReuseNanos > 0 && r.body.length() > LARGE
        && System.nanoTime() - r.renderedAtNanos < Math.max(largeReuseNanos, LARGE_REUSE_FACTOR * r.tookNanos);
  }

  private Future<Rendered> offLoop(Key key, Snapshot snapshot, Function<Snapshot, String> render) {
    synchronized (inFlight) {
      Future<Rendered> running = inFlight.get(key);
      if (running != null) {
        return running;
      }
      Future<Rendered> started = worker.executeBlocking(() -> render(key, snapshot, render), false);
      inFlight.put(key, started);
      started.onComplete(ar -> {
        synchronized (inFlight) {
          inFlight.remove(key, started);
        }
      });
      return started;
    }
  }

  private Rendered render(Key key, Snapshot snapshot, Function<Snapshot, String> render) {
    long start = System.nanoTime();
    renders.incrementAndGet();
    String text = render.apply(snapshot);
    // Large bodies go off-heap, shared by every connection that sends them (see Bodies).
    Buffer body = text.length() > LARGE ? Bodies.direct(text) : Buffer.buffer(text);
    long done = System.nanoTime();
    Rendered fresh = new Rendered(snapshot, body, done, done - start);
    cache.put(key, fresh);
    return fresh;
  }

  /** {@code shared} completed on the context of the caller, whichever context started it. */
  private static <T> Future<T> onCallersContext(Future<T> shared) {
    Context caller = Vertx.currentContext();
    if (caller == null) {
      return shared;
    }
    Promise<T> p = Promise.promise();
    shared.onComplete(ar -> {
      if (Vertx.currentContext() == caller) {
        p.handle(ar);
      } else {
        caller.runOnContext(v -> p.handle(ar));
      }
    });
    return p.future();
  }
}

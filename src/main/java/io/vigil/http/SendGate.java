package io.vigil.http;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Bounds how many large bodies (a {@code /metrics} scrape is megabytes with thousands of checks)
 * are sent at once, over all event loops. Sending one to a fast reader keeps its event loop copying
 * for milliseconds per turn; a thousand at once would make each turn of the loop last seconds and
 * the probes on it wait that long. A request waits in line (first come, first served) for one of
 * {@code permits}; waiting costs nothing but the connection it already holds. A permit is given
 * back when the body is written out, the connection closes, or after {@code holdMs}: a client that
 * reads slowly costs little CPU, so it keeps its place in the socket but not in the line.
 *
 * <p>Each permit also carries a byte budget ({@code bytesPerSecond}): a permit that sent a body
 * faster than that is handed on only once the budget has caught up. Without it two fast readers on
 * loopback scraping back to back kept a core busy copying a gigabyte a second (HostileClientsIT),
 * and the probes' event loops waited for the CPU. Prometheus scrapes a few times a minute; the
 * budget is still dozens of scrapes a second.
 */
final class SendGate {
  /** A granted permit; {@link #release} is idempotent. */
  final class Permit {
    private final AtomicBoolean held = new AtomicBoolean(true);
    private final long grantedNanos = System.nanoTime();
    private final long timer;

    private Permit() {
      timer = vertx.setTimer(holdMs, id -> release(0));
    }

    /** Gives the permit back when nothing (or nothing worth counting) was sent. */
    void release() {
      release(0);
    }

    /** Gives the permit back after {@code bytesSent}; the next waiter gets it when the budget allows. */
    void release(long bytesSent) {
      if (held.compareAndSet(true, false)) {
        vertx.cancelTimer(timer);
        long owedMs = TimeUnit.NANOSECONDS.toMillis(bytesSent * 1_000_000_000L / bytesPerSecond
            - (System.nanoTime() - grantedNanos));
        if (owedMs >= 1) {
          vertx.setTimer(owedMs, id -> next());
        } else {
          next();
        }
      }
    }
  }

  private record Waiter(Context context, HttpServerResponse response, Consumer<Permit> then) {}

  private final Vertx vertx;
  private final int permits;
  private final long holdMs;
  private final long bytesPerSecond;
  private final Deque<Waiter> waiting = new ArrayDeque<>();
  private int inUse;

  SendGate(Vertx vertx, int permits, long holdMs, long bytesPerSecond) {
    this.vertx = vertx;
    this.permits = permits;
    this.holdMs = holdMs;
    this.bytesPerSecond = bytesPerSecond;
  }

  /** Runs {@code then} on {@code context} with a permit, now or when one is free. */
  void enter(Context context, HttpServerResponse response, Consumer<Permit> then) {
    synchronized (this) {
      if (inUse >= permits) {
        waiting.add(new Waiter(context, response, then));
        return;
      }
      inUse++;
    }
    then.accept(new Permit());
  }

  /** Requests waiting for a permit now. */
  synchronized int waiting() {
    return waiting.size();
  }

  private void next() {
    Waiter w;
    synchronized (this) {
      do {
        w = waiting.poll();
      } while (w != null && w.response.closed()); // its client left while it waited
      if (w == null) {
        inUse--;
        return;
      }
    }
    Waiter granted = w;
    Permit p = new Permit();
    granted.context.runOnContext(v -> {
      if (granted.response.closed()) {
        p.release();
      } else {
        granted.then.accept(p);
      }
    });
  }
}

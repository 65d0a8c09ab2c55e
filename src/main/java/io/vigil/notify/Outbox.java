package io.vigil.notify;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vigil.config.NotifierConfig;
import io.vigil.config.Secrets;
import io.vigil.model.Version;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;

/**
 * One notifier's queue and its delivery: in order, one request in flight, each attempt ended after
 * the notifier's timeout (the request is reset, so a hung receiver holds no connection), a failed
 * one tried again after an exponential backoff with jitter (1 s doubling to 1 min, each wait drawn
 * from its upper half) until the notification is {@code retry-for} old. Past {@code queue-size}
 * the oldest waiting notification is dropped and counted. Runs on its verticle's event loop and
 * never on a probe's: a slow or dead receiver costs this queue, nothing else.
 */
final class Outbox {
  private static final Logger LOG = Logger.getLogger("vigil.notify");
  static final long FIRST_BACKOFF_MS = 1_000;
  static final long MAX_BACKOFF_MS = 60_000;

  /** A notification waiting: its message, when it was made (monotonic), and attempts so far. */
  private static final class Pending {
    final Message message;
    final String check;
    final long madeNanos;
    int attempts;

    Pending(Message message, String check, long madeNanos) {
      this.message = message;
      this.check = check;
      this.madeNanos = madeNanos;
    }
  }

  private final Vertx vertx;
  private final HttpClient client;
  private final NotifierConfig config;
  private final String target;
  private final Secrets secrets;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private final Map<Outcome, Counter> counters = new EnumMap<>(Outcome.class);
  private boolean busy;
  private long retryTimer = -1;
  private boolean closed;
  private final long firstBackoffMs;

  Outbox(Vertx vertx, HttpClient client, NotifierConfig config, String path, Secrets secrets, MeterRegistry registry) {
    this(vertx, client, config, path, secrets, registry, FIRST_BACKOFF_MS);
  }

  /** {@code firstBackoffMs}: the first wait, doubling to {@value #MAX_BACKOFF_MS} ms (tests shorten it). */
  Outbox(Vertx vertx, HttpClient client, NotifierConfig config, String path, Secrets secrets, MeterRegistry registry,
      long firstBackoffMs) {
    this.firstBackoffMs = firstBackoffMs;
    this.vertx = vertx;
    this.client = client;
    this.config = config;
    String base = config.url().toString();
    this.target = path.isEmpty() ? base : base.replaceAll("/+$", "") + path;
    this.secrets = secrets;
    for (Outcome o : Outcome.values()) {
      counters.put(o, Counter.builder("vigil.notifications").description("Notifications by notifier and outcome")
          .tag("notifier", config.name()).tag("outcome", o.label()).register(registry));
    }
  }

  /** Queues {@code message} (about {@code check}); drops the oldest waiting one if the queue is full. */
  void offer(Message message, String check) {
    if (closed) {
      return;
    }
    if (queue.size() >= config.queueSize()) {
      Iterator<Pending> it = queue.iterator();
      if (busy) {
        it.next(); // the one in flight stays
      }
      if (it.hasNext()) {
        Pending dropped = it.next();
        it.remove();
        counters.get(Outcome.DROPPED).increment();
        LOG.warning("notifier=" + config.name() + " check=" + dropped.check + " outcome=dropped queue-size="
            + config.queueSize() + " (the receiver is not keeping up)");
      }
    }
    queue.add(new Pending(message, check, System.nanoTime()));
    pump();
  }

  /** How many notifications wait or are in flight. */
  int waiting() {
    return queue.size();
  }

  /** Stops sending; returns how many notifications were still waiting. */
  int close() {
    closed = true;
    vertx.cancelTimer(retryTimer);
    return queue.size();
  }

  private void pump() {
    if (busy || closed || retryTimer != -1 || queue.isEmpty()) {
      return;
    }
    Pending head = queue.peekFirst();
    busy = true;
    head.attempts++;
    attempt(head.message).onComplete(ar -> {
      busy = false;
      int status = ar.succeeded() ? ar.result() : -1;
      if (status >= 200 && status < 300) {
        queue.remove(head);
        counters.get(Outcome.DELIVERED).increment();
        if (head.attempts > 1) {
          LOG.info("notifier=" + config.name() + " check=" + head.check + " outcome=delivered attempts=" + head.attempts);
        }
        pump();
        return;
      }
      String why = ar.succeeded() ? "status=" + status : "error=\"" + secrets.scrub(String.valueOf(ar.cause().getMessage())) + "\"";
      boolean malformed = status >= 400 && status < 500 && status != 408 && status != 429;
      long age = System.nanoTime() - head.madeNanos;
      if (malformed || age >= config.retryFor().toNanos()) {
        queue.remove(head);
        counters.get(Outcome.FAILED).increment();
        LOG.warning("notifier=" + config.name() + " check=" + head.check + " outcome=failed attempts=" + head.attempts
            + " " + why + (malformed ? " (refused: not retried)" : " (given up after retry-for "
            + config.retryFor().toSeconds() + "s)"));
        pump();
        return;
      }
      counters.get(Outcome.RETRIED).increment();
      long backoff = backoffMillis(firstBackoffMs, head.attempts);
      LOG.warning("notifier=" + config.name() + " check=" + head.check + " outcome=retried attempts=" + head.attempts
          + " " + why + " retry-in=" + backoff + "ms");
      retryTimer = vertx.setTimer(backoff, t -> {
        retryTimer = -1;
        pump();
      });
    });
  }

  /** The wait before attempt {@code attempts + 1}: {@code first} doubling to 1 min, drawn from the upper half (jitter). */
  static long backoffMillis(long first, int attempts) {
    long ceiling = Math.min(MAX_BACKOFF_MS, first << Math.min(attempts - 1, 20));
    return ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
  }

  /** One POST; completes with the status code once the body has been read, or fails (timeout included). */
  private Future<Integer> attempt(Message message) {
    Promise<Integer> done = Promise.promise();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(target)
        .setFollowRedirects(false).putHeader("user-agent", "vigil/" + Version.get());
    message.headers().forEach(options::putHeader);
    HttpClientRequest[] sent = new HttpClientRequest[1];
    long timer = vertx.setTimer(config.timeout().toMillis(), t -> {
      if (done.tryFail("no answer within " + config.timeout().toMillis() + "ms") && sent[0] != null) {
        sent[0].reset(); // HTTP/1.1: the connection closes, nothing is left hanging
      }
    });
    client.request(options).compose(req -> {
      sent[0] = req;
      req.exceptionHandler(e -> { });
      if (done.future().isComplete()) {
        req.reset();
        return Future.failedFuture("timed out before sending");
      }
      return req.send(message.body());
    }).compose(resp -> resp.body().map(b -> resp.statusCode())).onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        done.tryComplete(ar.result());
      } else {
        done.tryFail(ar.cause());
      }
    });
    return done.future();
  }

}

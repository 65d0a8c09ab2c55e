package io.vigil.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vigil.config.NotifierConfig;
import io.vigil.config.NotifierType;
import io.vigil.config.Secrets;
import io.vigil.model.Severity;
import io.vigil.testsupport.MonitorFixture;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A notifier's queue against a real HTTP receiver in this test: retries, timeouts, drops, refusals. */
class OutboxTest {
  private final Vertx vertx = Vertx.vertx();
  /** The one context an outbox lives on, as a verticle's would be. */
  private final Context context = vertx.getOrCreateContext();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<String> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger closedConnections = new AtomicInteger();
  private HttpClient client;

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aReceiverAnswering500IsRetriedWithBackoffAndGetsTheNotificationWhenItHeals() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Outbox outbox = outbox(receiver(req -> req.body().onSuccess(b -> {
      if (calls.incrementAndGet() <= 3) {
        req.response().setStatusCode(500).end();
      } else {
        received.add(b.toString());
        req.response().setStatusCode(202).end();
      }
    })), 5, Duration.ofMinutes(1));
    long start = System.nanoTime();
    context.runOnContext(v -> outbox.offer(message("redis down"), "redis"));
    MonitorFixture.eventually(Duration.ofSeconds(20), "the notification delivered after the 500s", () -> received.size() == 1);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertEquals(List.of("redis down"), received);
    assertEquals(3, count("retried"));
    assertEquals(1, count("delivered"));
    // three waits of at least half of 50, 100 and 200 ms: the backoff grows
    assertTrue(tookMs >= 175, "waited between attempts: " + tookMs + " ms");
  }

  @Test
  void anAttemptThatGetsNoAnswerEndsAtTheTimeoutAndClosesItsConnection() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Outbox outbox = outbox(receiver(req -> {
      if (calls.incrementAndGet() == 1) {
        return; // never answers
      }
      req.body().onSuccess(b -> {
        received.add(b.toString());
        req.response().end();
      });
    }), 5, Duration.ofMinutes(1));
    context.runOnContext(v -> outbox.offer(message("one"), "redis"));
    MonitorFixture.eventually(Duration.ofSeconds(10), "delivered on the second attempt", () -> received.size() == 1);
    assertEquals(1, count("retried"));
    assertTrue(closedConnections.get() >= 1, "the hung attempt's connection was closed");
  }

  @Test
  void pastItsBoundTheOldestWaitingNotificationIsDroppedAndCounted() throws Exception {
    List<HttpServerRequest> held = new CopyOnWriteArrayList<>();
    Outbox outbox = outbox(receiver(held::add), 2, Duration.ofMinutes(1));
    context.runOnContext(v -> {
      for (int i = 0; i < 5; i++) {
        outbox.offer(message("n" + i), "c" + i);
      }
    });
    MonitorFixture.eventually(Duration.ofSeconds(10), "two dropped", () -> count("dropped") == 3);
    assertEquals(2, outbox.waiting(), "the one in flight and the newest");
  }

  @Test
  void aRefusalIsNotRetriedAndAnOldNotificationIsGivenUp() throws Exception {
    Outbox refused = outbox(receiver(req -> req.response().setStatusCode(400).end()), 5, Duration.ofMinutes(1));
    context.runOnContext(v -> refused.offer(message("bad"), "redis"));
    MonitorFixture.eventually(Duration.ofSeconds(10), "given up", () -> count("failed") == 1);
    assertEquals(0, count("retried"));

    registry.clear();
    Outbox dead = outbox(receiver(req -> req.response().setStatusCode(503).end()), 5, Duration.ofMillis(300));
    context.runOnContext(v -> dead.offer(message("late"), "redis"));
    MonitorFixture.eventually(Duration.ofSeconds(10), "given up after retry-for", () -> count("failed") == 1);
    assertTrue(count("retried") >= 1, "retried before giving up");
  }

  @Test
  void theBackoffDoublesToAMinuteWithJitterInItsUpperHalf() {
    for (int attempt = 1; attempt <= 12; attempt++) {
      long ceiling = Math.min(60_000, 1_000L << (attempt - 1));
      for (int i = 0; i < 50; i++) {
        long b = Outbox.backoffMillis(1_000, attempt);
        assertTrue(b >= ceiling / 2 && b <= ceiling, "attempt " + attempt + ": " + b + " in [" + ceiling / 2 + ", " + ceiling + "]");
      }
    }
  }

  private double count(String outcome) {
    var c = registry.find("vigil.notifications").tag("outcome", outcome).counter();
    return c == null ? 0 : c.count();
  }

  private static Message message(String text) {
    return new Message(Buffer.buffer(text), Map.of("content-type", "text/plain"));
  }

  private int receiver(Consumer<HttpServerRequest> handler) throws Exception {
    HttpServer server = vertx.createHttpServer().connectionHandler(c -> c.closeHandler(v -> closedConnections.incrementAndGet()))
        .requestHandler(handler::accept);
    return server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
  }

  private Outbox outbox(int port, int queue, Duration retryFor) {
    if (client == null) {
      client = vertx.createHttpClient();
    }
    NotifierConfig config = new NotifierConfig("test", NotifierType.WEBHOOK, URI.create("http://127.0.0.1:" + port + "/hook"),
        null, null, Severity.WARNING, true, Duration.ofHours(1), Duration.ZERO, Duration.ofMillis(300), queue, retryFor);
    return new Outbox(vertx, client, config, "", Secrets.none(), registry, 50);
  }
}

package io.vigil.http;

import static io.vigil.testsupport.MonitorFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Gauge;
import io.vertx.core.json.JsonObject;
import io.vigil.bus.Addresses;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The SSE hub against a board the test drives at thousands of events a second: no event lost or
 * doubled while clients subscribe (Done-when 4 of issue 8), resuming after {@code Last-Event-ID},
 * the ring's bound, the cap, slow subscribers dropped, one consumer per address.
 */
class EventHubTest {
  private static final Duration SOON = Duration.ofSeconds(10);

  /** Publishes {@code perMs} results (and every 10th time a transition) each millisecond, on an event loop. */
  private static long flood(ServingFixture f, int perMs) {
    AtomicLong round = new AtomicLong();
    return f.vertx.setPeriodic(1, id -> {
      for (int i = 0; i < perMs; i++) {
        f.board.result(f.vertx, "check-" + i % 3);
      }
      if (round.incrementAndGet() % 10 == 0) {
        f.board.transition(f.vertx, "check-1");
      }
    });
  }

  /** The problem with one subscription's events, or null: a snapshot first, then seq+1, seq+2, ... */
  private static String contiguousAfterSnapshot(List<SseClient.Event> events) {
    if (events.isEmpty() || !events.get(0).name().equals("snapshot")) {
      return "the first event is not the snapshot: " + events.subList(0, Math.min(3, events.size()));
    }
    return contiguous(events.get(0).id(), events.subList(1, events.size()));
  }

  private static String contiguous(long after, List<SseClient.Event> events) {
    long expected = after + 1;
    for (SseClient.Event e : events) {
      if (e.name().equals("lifecycle")) {
        continue;
      }
      if (e.id() == null || e.id() != expected) {
        return "after " + after + " expected id " + expected + " but got " + e.name() + " " + e.id();
      }
      expected++;
    }
    return null;
  }

  @Test
  void noEventIsLostOrDoubledWhileClientsSubscribeDuringAFlood() throws Exception {
    noEventLostOrDoubled(3);
  }

  /** The same with a snapshot large enough to be rendered off the event loop while its subscriber waits. */
  @Test
  void noEventIsLostOrDoubledWhileClientsWaitForALargeSnapshotDuringAFlood() throws Exception {
    noEventLostOrDoubled(Renderings.OFF_LOOP_CHECKS * 3);
  }

  private static void noEventLostOrDoubled(int checks) throws Exception {
    try (ServingFixture f = ServingFixture.start("events: { max-clients: 64 }", checks, 2, EventHub.RING, 1)) {
      long timer = flood(f, 5);
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        long seqBefore = f.board.seq();
        List<Future<List<SseClient.Event>>> runs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          runs.add(pool.submit(() -> {
            try (SseClient sse = SseClient.open(f.port(), "/events")) {
              return sse.await(SOON, "a snapshot and 40 events", e -> e.size() > 40);
            }
          }));
        }
        List<String> problems = new ArrayList<>();
        for (Future<List<SseClient.Event>> r : runs) {
          List<SseClient.Event> events = r.get(60, TimeUnit.SECONDS);
          String p = contiguousAfterSnapshot(events);
          if (p != null) {
            problems.add(p);
          }
        }
        assertEquals(List.of(), problems, problems.size() + " of 200 subscriptions saw a gap or a repeat");
        long published = f.board.seq() - seqBefore;
        assertTrue(published >= runs.size(), "the board published while clients subscribed: " + published + " events");
      } finally {
        pool.shutdownNow();
        f.vertx.cancelTimer(timer);
      }
    }
  }

  @Test
  void aClientThatComesBackWithLastEventIdResumesRightAfterIt() throws Exception {
    try (ServingFixture f = ServingFixture.start("", 3, 2, EventHub.RING, 1)) {
      long timer = flood(f, 5);
      try {
        for (int round = 0; round < 50; round++) {
          long last;
          try (SseClient first = SseClient.open(f.port(), "/events")) {
            List<SseClient.Event> seen = first.await(SOON, "20 events", e -> e.size() > 20);
            last = seen.get(seen.size() - 1).id();
          }
          try (SseClient again = SseClient.open(f.port(), "/events", "Last-Event-ID", Long.toString(last))) {
            List<SseClient.Event> resumed = again.await(SOON, "20 events after " + last, e -> e.size() > 20);
            assertNotEquals("snapshot", resumed.get(0).name(),
                "no snapshot when the hub still holds what followed " + last + ": " + resumed.get(0));
            assertEquals(null, contiguous(last, resumed), "round " + round);
          }
        }
      } finally {
        f.vertx.cancelTimer(timer);
      }
    }
  }

  @Test
  void aClientTooFarBehindOrFromAnotherRunGetsTheSnapshot() throws Exception {
    try (ServingFixture f = ServingFixture.start("", 3, 1, 64, 1)) {
      for (int i = 0; i < 10; i++) {
        f.board.result(f.vertx, "check-0");
      }
      eventually(SOON, "the ring holds 10 events", () -> f.hub().ring().size() == 10);
      try (SseClient near = SseClient.open(f.port(), "/events", "Last-Event-ID", "4")) {
        List<SseClient.Event> e = near.await(SOON, "events 5 to 10", x -> x.size() >= 6);
        assertEquals(null, contiguous(4, e), "replayed from the ring: " + e);
      }
      for (int i = 0; i < 200; i++) {
        f.board.result(f.vertx, "check-0");
      }
      eventually(SOON, "the ring is full", () -> f.hub().ring().get(f.hub().ring().size() - 1).seq == 210);
      assertEquals(64, f.hub().ring().size(), "the ring is bounded");
      for (String id : List.of("10", "99999", "not-a-number", "-3")) {
        try (SseClient sse = SseClient.open(f.port(), "/events", "Last-Event-ID", id)) {
          SseClient.Event first = sse.await(SOON, "the snapshot", e -> !e.isEmpty()).get(0);
          assertEquals("snapshot", first.name(), "Last-Event-ID " + id);
          assertEquals(210L, first.id());
        }
      }
    }
  }

  @Test
  void pastMaxClientsEventsAnswers503WithRetryAfterAndAPlaceFreesOnClose() throws Exception {
    try (ServingFixture f = ServingFixture.start("events: { max-clients: 3 }")) {
      List<SseClient> open = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          SseClient c = SseClient.open(f.port(), "/events");
          c.await(SOON, "the snapshot", e -> !e.isEmpty());
          open.add(c);
        }
        try (SseClient over = SseClient.open(f.port(), "/events")) {
          assertEquals(503, over.status());
          assertEquals("5", over.header("Retry-After"));
          assertEquals("too many /events subscribers; retry later", new JsonObject(over.errorBody()).getString("error"));
        }
        open.remove(0).close();
        eventually(SOON, "the place is free again", () -> f.hub().clients() == 2);
        try (SseClient again = SseClient.open(f.port(), "/events")) {
          assertEquals(200, again.status());
        }
      } finally {
        open.forEach(SseClient::close);
      }
    }
  }

  @Test
  void aSubscriberThatDoesNotReadIsDroppedNotBufferedForAndOthersKeepTheirStream() throws Exception {
    try (ServingFixture f = ServingFixture.start("")) {
      f.board.fail("check-0", "x".repeat(2000)); // 2 KB per event: 10 MB a second
      try (Socket deaf = new Socket(); SseClient reader = SseClient.open(f.port(), "/events")) {
        deaf.setReceiveBufferSize(4096); // before connecting, so that the window stays small
        deaf.connect(new InetSocketAddress("127.0.0.1", f.port()));
        OutputStream out = deaf.getOutputStream();
        out.write("GET /events HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        eventually(SOON, "two subscribers", () -> f.hub().clients() == 2);
        long timer = flood(f, 5);
        try {
          eventually(SOON, "the deaf subscriber dropped", () -> f.hub().clients() == 1);
          reader.await(SOON, "the reading client still gets events", e -> e.size() > 1000);
        } finally {
          f.vertx.cancelTimer(timer);
        }
        eventually(SOON, "its connection closed at once, not when its queue is drained",
            () -> f.listeners.guard(HttpListeners.Port.MAIN).open() == 1);
      }
    }
  }

  @Test
  void oneConsumerPerAddressWhateverTheNumberOfSubscribersAndLifecycleOnTheStream() throws Exception {
    try (ServingFixture f = ServingFixture.start("")) {
      List<SseClient> clients = new ArrayList<>();
      try {
        for (int i = 0; i < 20; i++) {
          SseClient c = SseClient.open(f.port(), "/events");
          c.await(SOON, "the snapshot", e -> !e.isEmpty());
          clients.add(c);
        }
        for (String address : List.of(Addresses.RESULT, Addresses.CHANGED, Addresses.LIFECYCLE)) {
          Gauge handlers = f.registry.find("vertx.eventbus.handlers").tag("address", address).gauge();
          assertEquals(1.0, handlers.value(), address);
        }
        f.vertx.eventBus().publish(Addresses.LIFECYCLE, new JsonObject().put("phase", "DRAINING").put("at", "now"));
        for (SseClient c : clients) {
          c.await(SOON, "DRAINING", e -> e.stream().anyMatch(x -> x.name().equals("lifecycle") && x.data().contains("DRAINING")));
        }
      } finally {
        clients.forEach(SseClient::close);
      }
    }
  }
}

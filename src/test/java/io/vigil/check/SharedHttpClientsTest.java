package io.vigil.check;

import static io.vigil.testsupport.MonitorFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vigil.model.Observation;
import io.vigil.testsupport.TestPorts;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * http checks with the same options on one event loop share a client and its idle connections;
 * other options get their own; the last check closed closes it; a client serves a bounded number of
 * checks, so the pool it makes for each target stays small.
 */
class SharedHttpClientsTest {

  @Test
  void checksOfOneTargetShareConnectionsAndTheLastOneClosesTheClient() {
    Vertx vertx = Vertx.vertx();
    try {
      AtomicInteger connections = new AtomicInteger();
      Set<Object> open = ConcurrentHashMap.newKeySet();
      HttpServer server = await(vertx.createHttpServer().connectionHandler(c -> {
        connections.incrementAndGet();
        open.add(c);
        c.closeHandler(v -> open.remove(c));
      }).requestHandler(r -> r.response().end("ok")).listen(0, "127.0.0.1"));
      int before = SharedHttpClients.count();
      String url = "type: http, url: \"http://127.0.0.1:" + server.actualPort() + "/p";
      List<Check> checks = new ArrayList<>();
      // On one context, as a CheckVerticle builds its check: one event loop.
      await(onLoop(vertx.getOrCreateContext(), () -> {
        for (int i = 0; i < 20; i++) {
          checks.add(Checks.create(vertx, AbortTest.config(url + i + "\"")));
        }
        return checks.add(Checks.create(vertx, AbortTest.config(url + "x\", verify-tls: false")));
      }));
      assertEquals(before + 2, SharedHttpClients.count(), "20 checks of one options, 1 of others");
      for (int round = 0; round < 3; round++) {
        for (Check c : checks.subList(0, 20)) {
          Observation o = await(c.probe());
          assertTrue(o.ok(), o.toString());
        }
      }
      assertEquals(1, connections.get(), "60 probes one after the other over one kept-alive connection");
      for (Check c : checks.subList(1, checks.size())) {
        await(c.close());
      }
      Observation last = await(checks.get(0).probe());
      assertTrue(last.ok(), "the client stays open while one check uses it: " + last);
      await(checks.get(0).close());
      assertEquals(before, SharedHttpClients.count(), "the last check closed its client");
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (!open.isEmpty() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertEquals(Set.of(), open, "the shared client's connection closed with it");
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void moreChecksThanOneClientServesGetAnotherClient() {
    Vertx vertx = Vertx.vertx();
    try {
      int before = SharedHttpClients.count();
      io.vertx.core.http.HttpClientOptions options = new io.vertx.core.http.HttpClientOptions();
      List<SharedHttpClients.Lease> leases = new ArrayList<>();
      for (int i = 0; i <= SharedHttpClients.CHECKS_PER_CLIENT; i++) {
        leases.add(SharedHttpClients.acquire(vertx, options));
      }
      assertEquals(before + 2, SharedHttpClients.count(), "one check past the bound opens a second client");
      assertTrue(leases.get(0).client == leases.get(SharedHttpClients.CHECKS_PER_CLIENT - 1).client);
      assertTrue(leases.get(0).client != leases.get(SharedHttpClients.CHECKS_PER_CLIENT).client);
      await(leases.remove(SharedHttpClients.CHECKS_PER_CLIENT).release());
      assertEquals(before + 1, SharedHttpClients.count(), "the second client closed with its only check");
      for (SharedHttpClients.Lease l : leases) {
        await(l.release());
      }
      assertEquals(before, SharedHttpClients.count());
    } finally {
      await(vertx.close());
    }
  }

  /**
   * A refused target's pool is made again for each probe; with no bound it allocated a 4 MiB array
   * each time (24 MiB every 5 s on the default config, its targets down, straight into the old
   * generation). Measured as the bytes the event loop allocates over 50 probes.
   */
  @Test
  void probesOfARefusingTargetAllocateLittle() {
    Vertx vertx = Vertx.vertx();
    try {
      String url = "type: http, url: \"http://127.0.0.1:" + TestPorts.closed() + "/\"";
      Thread[] loopThread = new Thread[1];
      Check check = await(onLoop(vertx.getOrCreateContext(), () -> {
        loopThread[0] = Thread.currentThread();
        return Checks.create(vertx, AbortTest.config(url));
      }));
      com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      for (int i = 0; i < 5; i++) { // warm: classes, the first pool
        assertTrue(refused(check));
      }
      long before = threads.getThreadAllocatedBytes(loopThread[0].getId());
      for (int i = 0; i < 50; i++) {
        assertTrue(refused(check), "the target refuses");
      }
      long allocated = threads.getThreadAllocatedBytes(loopThread[0].getId()) - before;
      assertTrue(allocated < 10L << 20, "50 refused probes allocated " + (allocated >> 10) + " KiB on the loop");
      await(check.close());
    } finally {
      await(vertx.close());
    }
  }

  private static boolean refused(Check check) {
    return await(check.probe().transform(ar -> Future.succeededFuture(ar.failed() || !ar.result().ok())));
  }

  /** {@code made} run on {@code loop}, as a CheckVerticle builds its checks: one event loop. */
  private static <T> Future<T> onLoop(io.vertx.core.Context loop, java.util.function.Supplier<T> made) {
    io.vertx.core.Promise<T> p = io.vertx.core.Promise.promise();
    loop.runOnContext(v -> p.complete(made.get()));
    return p.future();
  }
}

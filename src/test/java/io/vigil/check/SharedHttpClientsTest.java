package io.vigil.check;

import static io.vigil.testsupport.MonitorFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vigil.model.Observation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * http checks with the same options on one event loop share a client and its idle connections;
 * other options get their own; the last check closed closes it.
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
      io.vertx.core.Context loop = vertx.getOrCreateContext();
      io.vertx.core.Promise<Void> made = io.vertx.core.Promise.promise();
      loop.runOnContext(v -> {
        for (int i = 0; i < 20; i++) {
          checks.add(Checks.create(vertx, AbortTest.config(url + i + "\"")));
        }
        checks.add(Checks.create(vertx, AbortTest.config(url + "x\", verify-tls: false")));
        made.complete();
      });
      await(made.future());
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
}

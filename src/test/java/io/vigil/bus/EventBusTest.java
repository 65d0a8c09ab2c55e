package io.vigil.bus;

import static io.vigil.testsupport.MonitorFixture.FAST;
import static io.vigil.testsupport.MonitorFixture.await;
import static io.vigil.testsupport.MonitorFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vigil.model.Reason;
import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.SwitchableCheck;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** What a program on the event bus sees: results, transitions and the snapshot, ordered by seq. */
class EventBusTest {

  @Test
  void subscriberReceivesResultsAndTransitionsInOrderWithIncreasingSeq() {
    try (MonitorFixture m = MonitorFixture.start("checks: {}")) {
      EventBus bus = m.running().vertx().eventBus();
      List<JsonObject> events = new CopyOnWriteArrayList<>();
      await(bus.<JsonObject>consumer(Addresses.RESULT, msg -> events.add(msg.body().copy().put("_kind", "result"))).completion());
      await(bus.<JsonObject>consumer(Addresses.CHANGED, msg -> events.add(msg.body().copy().put("_kind", "changed"))).completion());
      SwitchableCheck redis = new SwitchableCheck();
      m.register("redis", redis, FAST);
      eventually(Duration.ofSeconds(10), "first result", () -> events.stream().anyMatch(e -> e.getString("_kind").equals("result")));
      redis.fail(Reason.CONNECTION_REFUSED, "refused");
      eventually(Duration.ofSeconds(10), "DOWN transition", () -> events.stream().anyMatch(e -> "DOWN".equals(e.getString("to"))));
      redis.up();
      eventually(Duration.ofSeconds(10), "back UP", () -> events.stream().filter(e -> "UP".equals(e.getString("to"))).count() >= 2);

      List<JsonObject> seen = List.copyOf(events);
      for (int i = 1; i < seen.size(); i++) {
        assertTrue(seen.get(i).getLong("seq") > seen.get(i - 1).getLong("seq"), "seq must increase in arrival order: " + seen);
      }
      JsonObject failed = seen.stream().filter(e -> e.getString("_kind").equals("result") && !e.getBoolean("ok")).findFirst().orElseThrow();
      assertEquals("redis", failed.getString("check"));
      assertEquals("custom", failed.getString("type"));
      assertEquals("connection_refused", failed.getString("reason"));
      assertEquals("DOWN", failed.getString("state"));
      assertTrue(failed.containsKey("latencyMs") && failed.containsKey("at") && failed.containsKey("cause"));
      JsonObject down = seen.stream().filter(e -> "redis".equals(e.getString("check")) && "DOWN".equals(e.getString("to"))).findFirst().orElseThrow();
      assertEquals("UP", down.getString("from"));
      assertEquals("connection_refused", down.getString("reason"));
      assertTrue(seen.stream().anyMatch(e -> "*".equals(e.getString("check"))), "overall transitions use check \"*\"");
    }
  }

  @Test
  void lateSubscriberGetsTheSnapshotWithItsSeq() {
    try (MonitorFixture m = MonitorFixture.start("checks: {}")) {
      SwitchableCheck redis = new SwitchableCheck();
      m.register("redis", redis, FAST);
      eventually(Duration.ofSeconds(10), "started", () -> m.running().monitor().startup());
      Message<JsonObject> reply = await(m.running().vertx().eventBus().<JsonObject>request(Addresses.STATUS, null));
      JsonObject snap = reply.body();
      assertEquals("UP", snap.getString("status"));
      assertTrue(snap.getLong("seq") > 0);
      assertEquals("redis", snap.getJsonArray("checks").getJsonObject(0).getString("name"));
      assertEquals("UP", snap.getJsonArray("checks").getJsonObject(0).getString("status"));
    }
  }

  @Test
  void lifecyclePhasesArePublished() {
    MonitorFixture m = MonitorFixture.start("checks: {}");
    List<String> phases = new CopyOnWriteArrayList<>();
    await(m.running().vertx().eventBus().<JsonObject>consumer(Addresses.LIFECYCLE,
        msg -> phases.add(msg.body().getString("phase"))).completion());
    m.register("redis", new SwitchableCheck(), FAST);
    eventually(Duration.ofSeconds(10), "READY", () -> phases.contains("READY"));
    Thread shutdown = new Thread(() -> m.running().shutdown().run());
    shutdown.start();
    eventually(Duration.ofSeconds(10), "DRAINING and STOPPED", () -> phases.contains("STOPPED"));
    assertEquals(List.of("READY", "DRAINING", "STOPPED"), phases);
  }
}

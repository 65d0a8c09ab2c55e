package io.vigil.bridge;

import static io.vigil.testsupport.MonitorFixture.await;
import static io.vigil.testsupport.MonitorFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vigil.bus.Addresses;
import io.vigil.config.BridgeConfig;
import io.vigil.testsupport.BridgeClient;
import io.vigil.testsupport.TestPorts;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bridge verticle in this JVM with a real socket client: the rules {@link Clients} adds to the
 * 5.0.8 bridge (requests only inbound, one registration per address, a client that stops reading
 * dropped) and the close. BridgeIT tests the permitted addresses on the real process.
 */
class BridgeVerticleTest {
  private static final Duration SOON = Duration.ofSeconds(10);
  private static final String BLOCKED = "blocked by bridgeEvent handler";
  private final Vertx vertx = Vertx.vertx();
  private final AtomicInteger statusRequests = new AtomicInteger();
  private int port;
  private String deployment;

  @BeforeEach
  void deploy() {
    await(vertx.eventBus().consumer(Addresses.STATUS, m -> {
      statusRequests.incrementAndGet();
      m.reply(new JsonObject().put("seq", 7));
    }).completion());
    port = TestPorts.closed();
    deployment = await(vertx.deployVerticle(new BridgeVerticle(new BridgeConfig(true, "127.0.0.1", port))));
  }

  @AfterEach
  void close() {
    await(vertx.close());
  }

  @Test
  void aSecondRegistrationOfAnAddressIsRefusedAndItsEventsArriveOnce() throws Exception {
    try (BridgeClient client = new BridgeClient(port)) {
      client.register(Addresses.RESULT);
      client.register(Addresses.RESULT);
      client.await(0, SOON, "the second register refused", f -> BLOCKED.equals(f.getString("message")));
      vertx.eventBus().publish(Addresses.RESULT, new JsonObject().put("seq", 1));
      vertx.eventBus().publish(Addresses.RESULT, new JsonObject().put("seq", 2));
      client.await(0, SOON, "seq 2", withSeq(2));
      Thread.sleep(200);
      assertEquals(List.of(1L, 2L), client.bodies(Addresses.RESULT).stream().map(b -> b.getLong("seq")).toList());
    }
    eventually(SOON, "the client's one consumer gone with its connection", () -> failure(Addresses.RESULT) == ReplyFailure.NO_HANDLERS);
  }

  @Test
  void anAddressUnregisteredMayBeRegisteredAgain() throws Exception {
    try (BridgeClient client = new BridgeClient(port)) {
      client.register(Addresses.CHANGED);
      client.send(new JsonObject().put("type", "unregister").put("address", Addresses.CHANGED));
      client.register(Addresses.CHANGED);
      eventually(SOON, "registered again", () -> failure(Addresses.CHANGED) == ReplyFailure.TIMEOUT);
      vertx.eventBus().publish(Addresses.CHANGED, new JsonObject().put("seq", 3));
      client.await(0, SOON, "the event", withSeq(3));
      assertEquals(List.of(), client.frames().stream().filter(f -> "err".equals(f.getString("type"))).toList());
    }
  }

  @Test
  void inboundIsRequestReplyOnly() throws Exception {
    try (BridgeClient client = new BridgeClient(port)) {
      client.send(new JsonObject().put("type", "publish").put("address", Addresses.STATUS).put("body", new JsonObject()));
      client.send(new JsonObject().put("type", "send").put("address", Addresses.STATUS).put("body", new JsonObject()));
      client.request(Addresses.STATUS, "mine");
      JsonObject reply = client.await(0, SOON, "the reply", f -> "mine".equals(f.getString("address")));
      assertEquals(7L, reply.getJsonObject("body").getLong("seq"));
      assertEquals(2, client.frames().stream().filter(f -> BLOCKED.equals(f.getString("message"))).count(), client.frames().toString());
      assertEquals(1, statusRequests.get(), "only the request reached vigil.status");
    }
  }

  @Test
  void aClientThatStopsReadingIsDroppedWithItsConsumers() throws Exception {
    try (Socket stalled = new Socket()) {
      stalled.setReceiveBufferSize(4096);
      stalled.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      byte[] register = new JsonObject().put("type", "register").put("address", Addresses.RESULT).encode()
          .getBytes(StandardCharsets.UTF_8);
      DataOutputStream out = new DataOutputStream(stalled.getOutputStream());
      out.writeInt(register.length);
      out.write(register);
      out.flush();
      eventually(SOON, "registered", () -> failure(Addresses.RESULT) == ReplyFailure.TIMEOUT);
      JsonObject big = new JsonObject().put("filler", "x".repeat(64 * 1024));
      long flood = vertx.setPeriodic(20, id -> {
        for (int i = 0; i < 4; i++) {
          vertx.eventBus().publish(Addresses.RESULT, big); // 12 MiB a second, never read
        }
      });
      eventually(Duration.ofSeconds(20), "the stalled client dropped", () -> failure(Addresses.RESULT) == ReplyFailure.NO_HANDLERS);
      vertx.cancelTimer(flood);
    }
  }

  @Test
  void undeployingClosesEveryClientConnection() throws Exception {
    try (BridgeClient client = new BridgeClient(port)) {
      client.register(Addresses.CHANGED);
      eventually(SOON, "registered", () -> failure(Addresses.CHANGED) == ReplyFailure.TIMEOUT);
      long start = System.nanoTime();
      await(vertx.undeploy(deployment));
      eventually(SOON, "the connection closed", client::ended);
      assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "closed within 2 s");
      assertEquals(ReplyFailure.NO_HANDLERS, failure(Addresses.CHANGED));
    }
  }

  private static Predicate<JsonObject> withSeq(long seq) {
    return f -> f.getJsonObject("body") != null && Long.valueOf(seq).equals(f.getJsonObject("body").getLong("seq"));
  }

  /**
   * How a request to {@code address} fails: NO_HANDLERS when no client has registered it, TIMEOUT
   * when one has (it gets the request and does not answer).
   */
  private ReplyFailure failure(String address) {
    try {
      vertx.eventBus().request(address, new JsonObject(), new DeliveryOptions().setSendTimeout(200))
          .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      return null;
    } catch (ExecutionException e) {
      return ((ReplyException) e.getCause()).failureType();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}

package io.vigil.engine;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.bus.Addresses;
import java.util.function.Supplier;

/**
 * A member's own results on their way to the other members' boards, sent in batches: one message
 * per {@link #BATCH_MS} (or per {@link #MAX_BATCH} results) instead of one per result, so the
 * per-message cost of the clustered event bus (framing, routing, a handler call on each member) is
 * paid once for many. Used on the board's context only.
 */
final class Replicas {
  /** How long a result may wait before it leaves: small next to any interval or max-age. */
  static final long BATCH_MS = 100;
  static final int MAX_BATCH = 512;
  /** The header that names the member a batch comes from. */
  static final String MEMBER = "member";

  private final Vertx vertx;
  private final Supplier<String> self;
  private JsonArray pending = new JsonArray();
  private long timer = -1;

  Replicas(Vertx vertx, Supplier<String> self) {
    this.vertx = vertx;
    this.self = self;
  }

  void add(JsonObject replica) {
    pending.add(replica);
    if (pending.size() >= MAX_BATCH) {
      flush();
    } else if (timer < 0) {
      timer = vertx.setTimer(BATCH_MS, id -> {
        timer = -1;
        flush();
      });
    }
  }

  /** Sends what waits now: on a full batch, on the timer, and before the member leaves or stops. */
  void flush() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    if (!pending.isEmpty()) {
      // Encoded once here, not once per member by the event bus, and the sender named in a header:
      // this member's own copy (a publish reaches it too) is dropped unread, instead of deep-copied.
      vertx.eventBus().publish(Addresses.REPLICA, pending.toBuffer(),
          new DeliveryOptions().addHeader(MEMBER, self.get()));
      pending = new JsonArray();
    }
  }
}

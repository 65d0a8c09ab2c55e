package io.vigil.bridge;

import io.netty.channel.Channel;
import io.vertx.core.Handler;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.eventbus.bridge.tcp.BridgeEvent;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The bridge's hook for each client frame, run on the bridge verticle's event loop (so no locks):
 * <ul>
 *   <li>Inbound is request/reply only: a {@code send} with a {@code replyAddress}. A {@code publish}, or
 *   a {@code send} with nowhere to answer, is refused: the board's reply would go nowhere.</li>
 *   <li>An address is registered once per connection. The 5.0.8 bridge keeps one consumer per
 *   address and connection; a second {@code register} replaced the first in its map, and the first
 *   then outlived the connection, forwarding every event to a closed socket for good.</li>
 *   <li>A client that stops reading is dropped (closed, its consumers unregistered) once
 *   {@link #BACKLOG} bytes wait for it ({@link #dropSlow}), as {@code /events} drops one: the bridge
 *   writes every event to its socket without looking at the write queue, which would grow without bound.</li>
 * </ul>
 * A refused frame gets the bridge's error frame {@code "blocked by bridgeEvent handler"}; a frame for
 * an address {@link Permissions} does not list gets {@code "access_denied"}.
 */
final class Clients implements Handler<BridgeEvent> {
  /** What may wait in a client's write queue: seconds of events at thousands of checks. */
  static final int BACKLOG = 1 << 20;
  private static final Logger LOG = Logger.getLogger("vigil.bridge");
  private final Map<NetSocket, Set<String>> registered = new HashMap<>();

  @Override
  public void handle(BridgeEvent event) {
    JsonObject frame = event.getRawMessage();
    String address = frame.getString("address");
    switch (event.type()) {
      case PUBLISH -> event.complete(false);
      case SEND -> event.complete(frame.getValue("replyAddress") instanceof String);
      case REGISTER -> event.complete(!registered.getOrDefault(event.socket(), Set.of()).contains(address));
      case REGISTERED -> {
        addresses(event.socket()).add(address);
        event.complete(true);
      }
      case UNREGISTER -> {
        Set<String> addresses = registered.get(event.socket());
        if (addresses != null) {
          addresses.remove(address);
        }
        event.complete(true);
      }
      default -> event.complete(true);
    }
  }

  /** Closes every client whose write queue is full; called every second on the bridge's event loop. */
  void dropSlow() {
    List<NetSocket> slow = registered.keySet().stream().filter(NetSocket::writeQueueFull).toList();
    for (NetSocket socket : slow) {
      LOG.info("client dropped reason=write_queue_full backlogBytes=" + BACKLOG + " client=" + socket.remoteAddress());
      registered.remove(socket);
      abort(socket);
    }
  }

  /**
   * Closes {@code socket} now, dropping what it still has to send (as {@code /events} does): Vert.x's
   * own close first flushes the queue, which for a client that does not read is never, so the socket,
   * its queue and its consumers would stay.
   */
  private static void abort(NetSocket socket) {
    Channel ch = ((NetSocketInternal) socket).channelHandlerContext().channel();
    ch.eventLoop().execute(() -> ch.unsafe().close(ch.voidPromise()));
  }

  private Set<String> addresses(NetSocket socket) {
    return registered.computeIfAbsent(socket, s -> {
      s.setWriteQueueMaxSize(BACKLOG);
      s.closeHandler(v -> registered.remove(s));
      return new HashSet<>();
    });
  }
}

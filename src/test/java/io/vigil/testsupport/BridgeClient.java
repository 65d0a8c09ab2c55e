package io.vigil.testsupport;

import io.vertx.core.json.JsonObject;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A client of Vigil's TCP event-bus bridge on a plain socket, speaking the bridge's frames as a
 * program in any language would (a 4-byte big-endian length, then UTF-8 JSON). A thread reads every
 * frame into {@link #frames()} until the bridge closes the connection.
 */
public final class BridgeClient implements AutoCloseable {
  private final Socket socket;
  private final DataOutputStream out;
  private final List<JsonObject> frames = new CopyOnWriteArrayList<>();
  private volatile boolean ended;

  public BridgeClient(int port) throws IOException {
    socket = new Socket(InetAddress.getLoopbackAddress(), port);
    out = new DataOutputStream(socket.getOutputStream());
    DataInputStream in = new DataInputStream(socket.getInputStream());
    Thread reader = new Thread(() -> read(in), "bridge-client-" + port);
    reader.setDaemon(true);
    reader.start();
  }

  private void read(DataInputStream in) {
    try {
      while (true) {
        byte[] frame = new byte[in.readInt()];
        in.readFully(frame);
        frames.add(new JsonObject(new String(frame, StandardCharsets.UTF_8)));
      }
    } catch (IOException e) {
      ended = true; // EOFException: the bridge closed the connection; otherwise we did, or it was reset
    }
  }

  /** Writes one frame. */
  public synchronized void send(JsonObject frame) throws IOException {
    byte[] json = frame.encode().getBytes(StandardCharsets.UTF_8);
    out.writeInt(json.length);
    out.write(json);
    out.flush();
  }

  public void register(String address) throws IOException {
    send(new JsonObject().put("type", "register").put("address", address));
  }

  /** A request: the bridge answers with a message to {@code replyAddress}, or an error frame. */
  public void request(String address, String replyAddress) throws IOException {
    send(new JsonObject().put("type", "send").put("address", address).put("replyAddress", replyAddress)
        .put("body", new JsonObject()));
  }

  public List<JsonObject> frames() {
    return List.copyOf(frames);
  }

  /** The bodies of the messages received on {@code address}. */
  public List<JsonObject> bodies(String address) {
    return frames.stream().filter(f -> "message".equals(f.getString("type")) && address.equals(f.getString("address")))
        .map(f -> f.getJsonObject("body")).toList();
  }

  /** Waits for the first frame from {@code from} on (an index into {@link #frames()}) that matches. */
  public JsonObject await(int from, Duration timeout, String what, Predicate<JsonObject> match) {
    MonitorFixture.eventually(timeout, what + "; frames: " + frames, () -> next(from, match) != null);
    return next(from, match);
  }

  private JsonObject next(int from, Predicate<JsonObject> match) {
    List<JsonObject> all = frames();
    return all.subList(Math.min(from, all.size()), all.size()).stream().filter(match).findFirst().orElse(null);
  }

  /** True once the bridge has closed the connection. */
  public boolean ended() {
    return ended;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}

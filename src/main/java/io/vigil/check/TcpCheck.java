package io.vigil.check;

import io.vigil.config.TcpSettings;
import io.vigil.model.Observation;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vigil.config.CheckConfig;
import io.vigil.model.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A {@code tcp} check: connect, optionally send bytes and wait for expected text, then close.
 * {@link #abort()} closes the socket; a socket still connecting when the probe was aborted is closed
 * as soon as it connects, and the connect itself gives up at the check's timeout.
 */
public final class TcpCheck implements Check {
  /** What is kept of an answer while looking for the expected text: enough for a banner, bounded. */
  static final int MAX_ANSWER = 64 * 1024;
  private final TcpSettings settings;
  private final NetClient client;
  /** The conversation in flight: what {@link #abort()} ends (one at a time, see {@link Check}). */
  private volatile InFlight<NetSocket> current;
  /** The verdict of the probe in flight, failed by {@link #abort()}. */
  private volatile Promise<Observation> verdict;

  public TcpCheck(Vertx vertx, CheckConfig config) {
    this.settings = (TcpSettings) config.settings();
    this.client = vertx.createNetClient(new NetClientOptions()
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, config.options().timeout().toMillis()))));
  }

  @Override
  public Future<Observation> probe() {
    InFlight<NetSocket> conversation = new InFlight<>(NetSocket::close, NetSocket::close);
    Promise<Observation> done = Promise.promise();
    current = conversation;
    verdict = done;
    return client.connect(settings.port(), settings.host()).compose(socket -> {
      if (!conversation.attach(socket)) {
        return Future.failedFuture(new IllegalStateException("probe aborted while connecting"));
      }
      return converse(socket, done);
    });
  }

  private Future<Observation> converse(NetSocket socket, Promise<Observation> done) {
    if (settings.send() == null && settings.expectContains() == null) {
      return socket.close().map(v -> Observation.up());
    }
    Buffer answer = Buffer.buffer();
    socket.handler(chunk -> {
      if (answer.length() < MAX_ANSWER) {
        answer.appendBuffer(chunk, 0, Math.min(chunk.length(), MAX_ANSWER - answer.length()));
      }
      String text = answer.toString(StandardCharsets.UTF_8);
      if (settings.expectContains() == null || text.contains(settings.expectContains())) {
        done.tryComplete(Observation.up(Map.of("bytes", answer.length())));
      } else if (answer.length() >= MAX_ANSWER) {
        done.tryComplete(Observation.down(Reason.ASSERTION, "answer does not contain \"" + settings.expectContains()
            + "\" in its first " + MAX_ANSWER + " bytes"));
      }
    });
    socket.endHandler(v -> done.tryComplete(evaluate(settings.expectContains(), answer.toString(StandardCharsets.UTF_8))));
    socket.exceptionHandler(done::tryFail);
    if (settings.send() != null) {
      socket.write(settings.send());
    }
    return done.future().onComplete(ar -> socket.close());
  }

  @Override
  public void abort() {
    Promise<Observation> done = verdict;
    if (done != null) {
      done.tryFail(new IllegalStateException("probe aborted"));
    }
    InFlight<NetSocket> conversation = current;
    if (conversation != null) {
      conversation.abort();
    }
  }

  /** The verdict on a whole answer once the peer closed: pure, unit-tested. */
  static Observation evaluate(String expected, String answer) {
    if (expected == null || answer.contains(expected)) {
      return Observation.up();
    }
    String seen = answer.length() > 60 ? answer.substring(0, 60) + "…" : answer;
    return Observation.down(Reason.ASSERTION, "answer does not contain \"" + expected + "\" (got \""
        + seen.replace("\r", "\\r").replace("\n", "\\n") + "\")");
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }
}

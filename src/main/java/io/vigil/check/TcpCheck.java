package io.vigil.check;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vigil.config.CheckConfig;
import io.vigil.status.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** A {@code tcp} check: connect, optionally send bytes and wait for expected text, then close. */
public final class TcpCheck implements Check {
  /** What is kept of an answer while looking for the expected text: enough for a banner, bounded. */
  static final int MAX_ANSWER = 64 * 1024;
  private final Vertx vertx;
  private final TcpSettings settings;
  private final long timeoutMs;
  private final NetClient client;

  public TcpCheck(Vertx vertx, CheckConfig config) {
    this.vertx = vertx;
    this.settings = (TcpSettings) config.settings();
    this.timeoutMs = config.options().timeout().toMillis();
    this.client = vertx.createNetClient(new NetClientOptions()
        .setConnectTimeout((int) config.options().timeout().toMillis()));
  }

  @Override
  public Future<Observation> probe() {
    return client.connect(settings.port(), settings.host()).compose(this::converse);
  }

  private Future<Observation> converse(NetSocket socket) {
    if (settings.send() == null && settings.expectContains() == null) {
      return socket.close().map(v -> Observation.up());
    }
    Promise<Observation> done = Promise.promise();
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
    // A peer that never answers must not keep the socket open after the probe is over.
    long timer = vertx.setTimer(Math.max(1, timeoutMs), id -> done.tryComplete(Observation.down(Reason.TIMEOUT,
        "no expected answer within " + timeoutMs + "ms")));
    return done.future().onComplete(ar -> {
      vertx.cancelTimer(timer);
      socket.close();
    });
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

package io.vigil.check;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/**
 * Where an HTTP check's response body goes: kept up to a cap. A write past the cap, or after the
 * probe was abandoned, fails; WebClient's pipe then fails the request and closes the connection, so
 * a huge, endless or trickling body costs bounded memory and no lingering socket.
 */
final class BoundedBody implements WriteStream<Buffer> {
  /** A body past the cap: the target answers with more than a health endpoint should. */
  static final class TooLarge extends RuntimeException {
    TooLarge(int cap) {
      super("response body larger than " + cap + " bytes", null, false, false);
    }
  }

  private final int cap;
  private final Buffer body = Buffer.buffer();
  private volatile boolean abandoned;

  BoundedBody(int cap) {
    this.cap = cap;
  }

  Buffer body() {
    return body;
  }

  /** The probe gave up (timeout): fail the next write so that the transfer stops. */
  void abandon() {
    abandoned = true;
  }

  @Override
  public Future<Void> write(Buffer data) {
    if (abandoned) {
      return Future.failedFuture(new IllegalStateException("probe abandoned"));
    }
    if (body.length() + data.length() > cap) {
      return Future.failedFuture(new TooLarge(cap));
    }
    body.appendBuffer(data);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> end() {
    return Future.succeededFuture();
  }

  @Override
  public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    return this;
  }

  @Override
  public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return false;
  }

  @Override
  public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
    return this;
  }
}

package io.vigil.check;

import io.vertx.core.buffer.Buffer;

/**
 * An HTTP check's response body, kept up to a cap. A body past the cap is refused, and the check
 * then resets its request, so a huge or endless body costs bounded memory and no lingering socket.
 */
final class BoundedBody {
  /** A body past the cap: the target answers with more than a health endpoint should. */
  static final class TooLarge extends RuntimeException {
    TooLarge(int cap) {
      super("response body larger than " + cap + " bytes", null, false, false);
    }
  }

  private final int cap;
  private final Buffer body = Buffer.buffer();

  BoundedBody(int cap) {
    this.cap = cap;
  }

  Buffer body() {
    return body;
  }

  /** Appends {@code chunk}; false, keeping nothing of it, when it would take the body past the cap. */
  boolean append(Buffer chunk) {
    if (body.length() + chunk.length() > cap) {
      return false;
    }
    body.appendBuffer(chunk);
    return true;
  }
}

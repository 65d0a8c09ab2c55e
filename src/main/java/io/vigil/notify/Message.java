package io.vigil.notify;

import io.vertx.core.buffer.Buffer;
import java.util.Map;

/** One rendered notification: the body to POST and the headers that go with it (content type, signature). */
record Message(Buffer body, Map<String, String> headers) {

  Message {
    headers = Map.copyOf(headers);
  }
}

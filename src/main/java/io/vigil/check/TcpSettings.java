package io.vigil.check;

import io.vigil.config.CheckSettings;
import io.vigil.config.ConfigNode;

/** A {@code tcp} check: where to connect, and optionally bytes to send and text to expect back. */
public record TcpSettings(String host, int port, String send, String expectContains) implements CheckSettings {

  static TcpSettings parse(ConfigNode node) {
    String host = node.requiredString("host");
    Integer port = node.optionalInteger("port", 1);
    if (port == null && !node.has("port")) {
      node.problem("port", "is required");
    } else if (port != null && port > 65535) {
      node.problem("port", "must be <= 65535 (was " + port + ")");
      port = null;
    }
    String send = node.string("send", null);
    ConfigNode expect = node.child("expect");
    String contains = expect.string("contains", null);
    expect.finish();
    return new TcpSettings(host, port == null ? 0 : port, send, contains);
  }
}

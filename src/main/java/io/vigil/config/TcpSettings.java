package io.vigil.config;

/** A {@code tcp} check: where to connect, and optionally bytes to send and text to expect back. */
public record TcpSettings(String host, int port, String send, String expectContains) implements CheckSettings {

  static TcpSettings parse(ConfigNode node) {
    String host = node.requiredString("host");
    Integer port = node.optionalInteger("port", 1, 65535);
    if (port == null && !node.has("port")) {
      node.problem("port", "is required");
    }
    String send = node.string("send", null);
    ConfigNode expect = node.child("expect");
    String contains = expect.string("contains", null);
    expect.finish();
    return new TcpSettings(host, port == null ? 0 : port, send, contains);
  }

  @Override
  public String toString() {
    // What a probe sends may be a login line: it is written out only scrubbed.
    return Secrets.none().describe(this);
  }
}

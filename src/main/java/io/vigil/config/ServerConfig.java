package io.vigil.config;

import java.time.Duration;

/** The HTTP listener, who sees details, and the shutdown timing. */
public record ServerConfig(
    String host, int port, Details details, String token, Duration drainDelay, Duration shutdownTimeout) {

  public static final ServerConfig DEFAULTS =
      new ServerConfig("0.0.0.0", 9090, Details.ALWAYS, "", Duration.ofSeconds(5), Duration.ofSeconds(20));

  public ServerConfig withPort(int p) {
    return new ServerConfig(host, p, details, token, drainDelay, shutdownTimeout);
  }

  public ServerConfig withHost(String h) {
    return new ServerConfig(h, port, details, token, drainDelay, shutdownTimeout);
  }
}

package io.vigil.config;

import java.time.Duration;

/** The HTTP listener, who sees details, the shutdown timing, and the serving limits ({@link ServingOptions}). */
public record ServerConfig(
    String host, int port, Details details, String token, Duration drainDelay, Duration shutdownTimeout,
    ServingOptions serving) {

  public static final ServerConfig DEFAULTS = new ServerConfig("0.0.0.0", 9090, Details.ALWAYS, "",
      Duration.ofSeconds(5), Duration.ofSeconds(20), ServingOptions.DEFAULTS);

  /** Without serving options: the defaults apply. */
  public ServerConfig(String host, int port, Details details, String token, Duration drainDelay, Duration shutdownTimeout) {
    this(host, port, details, token, drainDelay, shutdownTimeout, ServingOptions.DEFAULTS);
  }

  public ServerConfig {
    serving = serving == null ? ServingOptions.DEFAULTS : serving;
  }

  public ServerConfig withPort(int p) {
    return new ServerConfig(host, p, details, token, drainDelay, shutdownTimeout, serving);
  }

  public ServerConfig withHost(String h) {
    return new ServerConfig(h, port, details, token, drainDelay, shutdownTimeout, serving);
  }

  public ServerConfig withServing(ServingOptions s) {
    return new ServerConfig(host, port, details, token, drainDelay, shutdownTimeout, s);
  }

  /** The token never appears: the record's own toString would print it. */
  @Override
  public String toString() {
    return Secrets.none().describe(this, "token");
  }
}

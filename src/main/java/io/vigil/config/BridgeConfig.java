package io.vigil.config;

/**
 * The {@code bridge:} section: Vert.x's TCP event-bus bridge on {@code host:port}, for subscribers
 * that are not on the JVM. Off by default, and on loopback by default: the bridge asks clients for no
 * credentials and carries the events in full, whatever {@code server.details} says.
 */
public record BridgeConfig(boolean enabled, String host, int port) {

  public static final int DEFAULT_PORT = 7000;
  public static final BridgeConfig DISABLED = new BridgeConfig(false, "127.0.0.1", DEFAULT_PORT);
}

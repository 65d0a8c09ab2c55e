package io.vigil.testsupport;

import io.vigil.Vigil;
import io.vigil.config.ConfigLoader;
import io.vigil.log.Logging;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM for BlockedThreadGuardTest: starts the monitor as {@code main} does (its logging, its
 * own Vert.x options), blocks one of its event loops for {@code args[0]} ms once it is READY, then
 * shuts down.
 */
public final class BlockedThreadGuardChild {
  private BlockedThreadGuardChild() {}

  public static void main(String[] args) throws Exception {
    Logging.install();
    long blockMs = Long.parseLong(args[0]);
    Vigil.Running running = Vigil.start(new ConfigLoader(Map.of()).parse(
        "server: { host: 127.0.0.1, port: 0, shutdown: { drain-delay: 0s, timeout: 5s } }\n"
            + "checks: { closed: { type: tcp, host: 127.0.0.1, port: " + TestPorts.closed() + ", interval: 1s, timeout: 500ms } }\n",
        "child.yaml"));
    // Block after READY: the guard forgives a child's warnings from before it (cold JVM).
    while (!running.monitor().startup()) {
      Thread.sleep(20);
    }
    Thread.sleep(200);
    CompletableFuture<Void> blocked = new CompletableFuture<>();
    running.vertx().runOnContext(v -> {
      sleep(blockMs); // deliberately block an event loop: what the guard must see
      blocked.complete(null);
    });
    blocked.get(10, TimeUnit.SECONDS);
    System.exit(running.shutdown().run());
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package io.vigil.testsupport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Proves the guard can fail a test: Vert.x's blocked-thread warning must reach the logger the guard
 * listens to in this test JVM (SLF4J on the test class path could silently divert it).
 */
class BlockedThreadGuardTest {

  @Test
  void guardSeesABlockedEventLoop() throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions()
        .setBlockedThreadCheckInterval(50).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
        .setMaxEventLoopExecuteTime(100).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS));
    try {
      vertx.runOnContext(v -> sleepQuietly(600)); // deliberately block an event loop
      MonitorFixture.eventually(Duration.ofSeconds(3), "a blocked-thread warning",
          () -> !BlockedThreadGuard.warnings().isEmpty());
      assertTrue(BlockedThreadGuard.warnings().get(0).contains("has been blocked"), BlockedThreadGuard.warnings().toString());
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      new BlockedThreadGuard().beforeEach(null); // this test's own warning was expected: clear it
      assertTrue(BlockedThreadGuard.warnings().isEmpty());
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package io.vigil.shutdown;

import static io.vigil.testsupport.MonitorFixture.FAST;
import static io.vigil.testsupport.MonitorFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vigil.check.Check;
import io.vigil.model.Observation;
import io.vigil.testsupport.MonitorFixture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** The drain sequence's bounds, in process. */
class GracefulShutdownTest {

  @Test
  void shutdownThatOutlivesItsTimeoutExitsNonZeroAndNamesTheStepStillRunning() {
    MonitorFixture m = MonitorFixture.start(
        "server: { host: 127.0.0.1, port: 0, shutdown: { drain-delay: 100ms, timeout: 1s } }\nchecks: {}");
    List<String> logs = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        logs.add(r.getMessage());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger.getLogger("vigil.shutdown").addHandler(capture);
    try {
      // A check whose client never finishes closing: undeploying the checks hangs.
      Check stuck = new Check() {
        @Override
        public Future<Observation> probe() {
          return Future.succeededFuture(Observation.up());
        }

        @Override
        public Future<Void> close() {
          return Promise.<Void>promise().future();
        }
      };
      m.register("stuck", stuck, FAST);
      eventually(Duration.ofSeconds(10), "started", () -> m.running().monitor().startup());
      long start = System.nanoTime();
      int status = m.running().shutdown().run();
      long tookMs = (System.nanoTime() - start) / 1_000_000;
      assertEquals(1, status);
      // The upper bound leaves room for a loaded CI machine; the stuck close() would otherwise never end.
      assertTrue(tookMs >= 900 && tookMs < 4000, "bounded by the 1 s timeout, took " + tookMs + " ms");
      assertTrue(logs.stream().anyMatch(l -> l.equals("shutdown timed out after 1s; still running: undeploy-checks; exiting with status 1")),
          logs.toString());
    } finally {
      Logger.getLogger("vigil.shutdown").removeHandler(capture);
      m.running().vertx().close();
    }
  }

  @Test
  void readinessIs503AndLivenessStays200AsSoonAsDrainingStarts() throws Exception {
    MonitorFixture m = MonitorFixture.start(
        "server: { host: 127.0.0.1, port: 0, shutdown: { drain-delay: 5s, timeout: 10s } }\nchecks: {}");
    m.register("redis", new io.vigil.testsupport.SwitchableCheck(), FAST);
    eventually(Duration.ofSeconds(10), "ready", () -> m.status("/health/ready") == 200);
    Thread t = new Thread(() -> m.running().shutdown().run());
    t.start();
    // Well inside the 5 s drain delay, while the listener still answers.
    eventually(Duration.ofSeconds(2), "readiness 503 once draining", () -> m.status("/health/ready") == 503);
    assertEquals(200, m.status("/health/live"));
    assertTrue(m.get("/metrics").body().contains("vigil_draining 1.0"));
    t.join(15_000);
  }
}

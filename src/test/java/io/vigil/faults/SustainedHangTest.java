package io.vigil.faults;

import static io.vigil.testsupport.MonitorFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vigil.check.Checks;
import io.vigil.check.SilentTarget;
import io.vigil.config.CheckConfig;
import io.vigil.config.ConfigLoader;
import io.vigil.config.Secrets;
import io.vigil.engine.CheckVerticle;
import io.vigil.model.CheckResult;
import io.vigil.model.Reason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Issue 8, done-when 1: a target that accepts connections and never answers, held for a whole
 * minute against an http, a tcp (send/expect, so it waits for an answer), a redis and a postgres
 * check at once, each on its own target. Every result of every check is {@code timeout}, every
 * interval (none missing, none with another reason, never the "pool reached max wait queue size"
 * that a fault of a few seconds never shows), every round really probes (the probe that timed out was
 * ended, so the next one is not skipped while it lingers), and no target ever sees more than two
 * connections open at once. The checks run in their real {@link CheckVerticle}s, as the engine deploys them.
 */
class SustainedHangTest {
  private static final Logger LOG = Logger.getLogger("vigil.test.hang");
  static final Duration HOLD = Duration.ofSeconds(60);
  static final Duration INTERVAL = Duration.ofMillis(500);
  static final Duration TIMEOUT = Duration.ofMillis(300);
  /**
   * The longest allowed time between two results of one check. Rounds start an interval (±5%
   * jitter) apart; a missing round would leave a gap of two intervals. The slack between is for
   * timers running late on a busy machine.
   */
  static final Duration MAX_GAP = INTERVAL.multipliedBy(2).minus(Duration.ofMillis(100));
  /** Results expected while the hang is held: one per interval, less a round of start-up slack. */
  static final long MIN_RESULTS = HOLD.toMillis() / INTERVAL.toMillis() - 2;

  @Test
  void everyResultOfEveryCheckIsATimeoutEveryIntervalAndNoTargetSeesMoreThanTwoConnections() {
    Map<String, SilentTarget> targets = new LinkedHashMap<>();
    for (String type : List.of("http", "tcp", "redis", "postgres")) {
      targets.put(type, new SilentTarget());
    }
    String yaml = """
        checks:
          defaults: { interval: %dms, timeout: %dms }
          http: { type: http, url: "http://127.0.0.1:%d/health" }
          tcp: { type: tcp, host: 127.0.0.1, port: %d, send: "PING\\r\\n", expect: { contains: PONG } }
          redis: { type: redis, uri: "redis://127.0.0.1:%d" }
          postgres: { type: postgres, uri: "postgresql://postgres@127.0.0.1:%d/test" }
        """.formatted(INTERVAL.toMillis(), TIMEOUT.toMillis(), targets.get("http").port(), targets.get("tcp").port(),
        targets.get("redis").port(), targets.get("postgres").port());
    List<CheckConfig> checks = new ConfigLoader(Map.of()).parse(yaml, "hang.yaml").checks();
    Map<String, List<CheckResult>> results = new ConcurrentHashMap<>();
    checks.forEach(c -> results.put(c.name(), new CopyOnWriteArrayList<>()));

    Vertx vertx = Vertx.vertx();
    try {
      long start = System.nanoTime();
      for (CheckConfig c : checks) {
        await(vertx.deployVerticle(new CheckVerticle(c.name(), c.type(), c.options(), () -> Checks.create(vertx, c),
            Secrets.none(), r -> results.get(r.check()).add(r))));
      }
      sleep(HOLD);
      long heldNanos = System.nanoTime() - start;
      await(vertx.close()); // no result after this: the lists are final

      List<String> report = new ArrayList<>();
      for (CheckConfig c : checks) {
        List<CheckResult> rs = List.copyOf(results.get(c.name()));
        SilentTarget target = targets.get(c.name());
        long skipped = rs.stream().filter(r -> r.message().startsWith("the previous probe has not ended")).count();
        long maxGapMs = 0;
        for (int i = 1; i < rs.size(); i++) {
          maxGapMs = Math.max(maxGapMs, (rs.get(i).atNanos() - rs.get(i - 1).atNanos()) / 1_000_000);
        }
        report.add("check=" + c.name() + " results=" + rs.size() + " notTimeout="
            + rs.stream().filter(r -> r.reason() != Reason.TIMEOUT).count() + " roundsWithoutProbe=" + skipped
            + " maxGapMs=" + maxGapMs + " accepted=" + target.accepted() + " maxOpen=" + target.maxOpen());
      }
      LOG.info("sustained hang held " + heldNanos / 1_000_000 + "ms: " + String.join("; ", report));

      for (CheckConfig c : checks) {
        List<CheckResult> rs = List.copyOf(results.get(c.name()));
        SilentTarget target = targets.get(c.name());
        List<CheckResult> other = rs.stream().filter(r -> r.reason() != Reason.TIMEOUT).toList();
        assertEquals(List.of(), other.subList(0, Math.min(3, other.size())),
            c.name() + ": every result is a timeout; " + other.size() + " were not (" + report + ")");
        assertTrue(rs.size() >= MIN_RESULTS, c.name() + ": a result every interval, "
            + rs.size() + " < " + MIN_RESULTS + " (" + report + ")");
        for (int i = 1; i < rs.size(); i++) {
          Duration gap = Duration.ofNanos(rs.get(i).atNanos() - rs.get(i - 1).atNanos());
          assertTrue(gap.compareTo(MAX_GAP) <= 0, c.name() + ": no round missing, but results " + (i - 1) + " and " + i
              + " are " + gap.toMillis() + "ms apart (" + report + ")");
        }
        long unprobed = rs.stream().filter(r -> r.message().startsWith("the previous probe has not ended")).count();
        assertTrue(unprobed <= 2, c.name() + ": every round probes the target afresh (the timed-out probe was ended),"
            + " but " + unprobed + " rounds found the previous probe still running (" + report + ")");
        assertTrue(target.maxOpen() <= 2, c.name() + ": its target saw " + target.maxOpen()
            + " connections open at once (" + report + ")");
      }
    } finally {
      vertx.close();
      targets.values().forEach(SilentTarget::close);
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}

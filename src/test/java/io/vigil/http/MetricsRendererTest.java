package io.vigil.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vigil.http.MetricsRenderer.Format;
import io.vigil.metrics.CheckFamilies;
import io.vigil.testsupport.MonitorFixture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The renderer's bounds, against a registry whose one gauge takes {@link #RENDER_MS} to read (so
 * a rendering is slow, as thousands of checks make it): single flight, a reuse window of 9
 * renderings, and a state change that ends that window a second after the rendering.
 */
class MetricsRendererTest {
  private static final long RENDER_MS = 300;

  private final AtomicInteger up = new AtomicInteger(1);
  private final AtomicLong changes = new AtomicLong();
  private Vertx vertx;
  private MetricsRenderer renderer;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Gauge.builder("probe_up", up, v -> {
      sleepUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RENDER_MS));
      return v.get();
    }).register(registry);
    renderer = new MetricsRenderer(vertx, registry, CheckFamilies.NONE, changes::get);
  }

  @AfterEach
  void stop() {
    MonitorFixture.await(vertx.close());
  }

  @Test
  void scrapesArrivingDuringARenderingShareIt() {
    Future<Buffer> first = renderer.body(Format.PROMETHEUS);
    Future<Buffer> second = renderer.body(Format.PROMETHEUS);
    assertEquals(shown(MonitorFixture.await(first)), shown(MonitorFixture.await(second)));
    assertEquals(1, renderer.renders());
  }

  @Test
  void aBodyIsReusedForItsWindowWhileNothingChanged() {
    assertEquals(1, shown(MonitorFixture.await(renderer.body(Format.PROMETHEUS))));
    long done = System.nanoTime();
    up.set(0); // a latency or a counter moving: no state change
    sleepUntil(done + MetricsRenderer.MIN_REUSE_NANOS + TimeUnit.MILLISECONDS.toNanos(200));
    assertEquals(1, shown(MonitorFixture.await(renderer.body(Format.PROMETHEUS))), "served again past the first second");
    assertEquals(1, renderer.renders(), "one rendering for both: the window is 9 renderings (at least 2.7 s)");
  }

  @Test
  void aStateChangeIsShownASecondAfterTheRenderingThatMissedIt() {
    assertEquals(1, shown(MonitorFixture.await(renderer.body(Format.PROMETHEUS))));
    long done = System.nanoTime();
    up.set(0);
    changes.incrementAndGet(); // the board counts a change once the registry shows it
    assertEquals(1, shown(MonitorFixture.await(renderer.body(Format.PROMETHEUS))), "within the first second the body stands");
    sleepUntil(done + MetricsRenderer.MIN_REUSE_NANOS + TimeUnit.MILLISECONDS.toNanos(50));
    long askedAt = System.nanoTime();
    assertEquals(0, shown(MonitorFixture.await(renderer.body(Format.PROMETHEUS))), "rendered again, long before the window ends");
    assertEquals(2, renderer.renders());
    assertTrue(askedAt - done < windowNanos(RENDER_MS), "asked inside the window that would have served the stale body");
  }

  /** The value of the gauge in a Prometheus body. */
  private static int shown(Buffer body) {
    String text = body.toString();
    int at = text.indexOf("\nprobe_up ");
    assertTrue(at >= 0, "the gauge is in the body: " + text);
    String value = text.substring(at + "\nprobe_up ".length(), text.indexOf('\n', at + 1));
    return (int) Double.parseDouble(value);
  }

  /** The reuse window of a rendering that took {@code renderMs} (at least). */
  private static long windowNanos(long renderMs) {
    return MetricsRenderer.REUSE_FACTOR * TimeUnit.MILLISECONDS.toNanos(renderMs);
  }

  /** Waits until {@code nanos} on the monotonic clock; parking may wake early, so it loops. */
  private static void sleepUntil(long nanos) {
    for (long left = nanos - System.nanoTime(); left > 0; left = nanos - System.nanoTime()) {
      LockSupport.parkNanos(left);
    }
  }
}

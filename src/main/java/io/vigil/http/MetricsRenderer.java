package io.vigil.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.vigil.metrics.CheckFamilies;
import io.vigil.metrics.Family;
import io.vigil.metrics.TextSink;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Renders {@code /metrics} off the event loops, once for many scrapes. Rendering thousands of
 * checks takes a good part of a second, which on an event loop would stall every probe behind it.
 * So: on one worker thread of its own (never the event loops, never the shared worker pool);
 * single flight (scrapes that arrive while a rendering runs wait for that one); and a reuse window
 * (a body is served again for {@code max(1 s, 9 x its rendering time)}), which bounds the CPU
 * spent on metrics to a tenth of a core however fast clients scrape.
 *
 * <p>A state change ends the reuse early: once a check (or the overall state) has changed since a
 * body was rendered, that body is served for at most {@link #MIN_REUSE_NANOS} after its rendering.
 * Without this, one slow rendering (a cold JVM, a busy machine: 1.2 s makes an 11 s window) kept
 * {@code vigil_check_up} at 1 for seconds after the check went DOWN. Latencies and counters may be
 * a window old; an up/down change is at most a second plus one rendering late.
 */
final class MetricsRenderer {
  private static final Logger LOG = Logger.getLogger("vigil.http");
  static final long MIN_REUSE_NANOS = TimeUnit.SECONDS.toNanos(1);
  /**
   * A body is reused for this many times its rendering time (at least {@link #MIN_REUSE_NANOS}), so
   * renderings take at most a tenth of one core however fast clients scrape. At a third of a core
   * (reuse x2) a 2-core machine under scrapers and a burst of connections starved the probes.
   */
  static final int REUSE_FACTOR = 9;

  /** The three renderings of the registry. */
  enum Format {
    PROMETHEUS("text/plain; version=0.0.4; charset=utf-8"),
    OPENMETRICS("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    JSON("application/json");

    final String contentType;

    Format(String contentType) {
      this.contentType = contentType;
    }
  }

  /** A body, when it was done, how long it may be reused, and the count of changes it shows. */
  private record Rendered(Buffer body, long doneNanos, long reuseNanos, long changes) {}

  /** One format's state; guarded by itself. */
  private static final class Slot {
    Rendered last;
    Future<Rendered> inFlight;
    int lastSize = 64 * 1024;
  }

  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;
  private final CheckFamilies families;
  private final LongSupplier changes;
  private final ExpositionFormatWriter prometheusText = PrometheusTextFormatWriter.create();
  private final ExpositionFormatWriter openMetricsText = OpenMetricsTextFormatWriter.create();
  private final Map<Format, Slot> slots = new EnumMap<>(Format.class);
  private volatile WorkerExecutor worker;
  private volatile long renders;

  /**
   * The registry's meters and the checks' {@code families}; {@code changes} counts state changes,
   * each counted once the metrics show it ({@link io.vigil.engine.MonitorView#changes}).
   */
  MetricsRenderer(Vertx vertx, PrometheusMeterRegistry registry, CheckFamilies families, LongSupplier changes) {
    this.vertx = vertx;
    this.registry = registry;
    this.families = families;
    this.changes = changes;
    for (Format f : Format.values()) {
      slots.put(f, new Slot());
    }
  }

  /** The body for {@code format}: the last one while it is fresh, else the rendering under way or a new one. */
  Future<Buffer> body(Format format) {
    Slot slot = slots.get(format);
    synchronized (slot) {
      Rendered last = slot.last;
      if (last != null && fresh(last, System.nanoTime() - last.doneNanos)) {
        return Future.succeededFuture(last.body);
      }
      if (slot.inFlight == null) {
        int sizeHint = slot.lastSize;
        slot.inFlight = worker().executeBlocking(() -> render(format, sizeHint), false)
            .andThen(ar -> finished(slot, ar.succeeded() ? ar.result() : null));
      }
      return slot.inFlight.map(r -> r.body);
    }
  }

  private boolean fresh(Rendered r, long ageNanos) {
    return ageNanos < MIN_REUSE_NANOS || (ageNanos < r.reuseNanos && changes.getAsLong() == r.changes);
  }

  /** How many renderings ran (tests: single flight and the reuse window). */
  long renders() {
    return renders;
  }

  private void finished(Slot slot, Rendered r) {
    synchronized (slot) {
      slot.inFlight = null;
      if (r != null) {
        slot.last = r;
        slot.lastSize = r.body.length();
      }
    }
  }

  private Rendered render(Format format, int sizeHint) {
    // Read before rendering: a change counted now is in the registry already, so in this body.
    long shown = changes.getAsLong();
    long start = System.nanoTime();
    Buffer body;
    try {
      body = format == Format.JSON ? Bodies.direct(JsonMeters.of(registry, families).toBuffer().getBytes())
          : Bodies.written(sizeHint + sizeHint / 8, out -> text(out, format));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long done = System.nanoTime();
    renders++;
    long took = done - start;
    if (took > TimeUnit.MILLISECONDS.toNanos(500)) {
      LOG.info(() -> "metrics rendering slow format=" + format + " bytes=" + body.length() + " tookMs=" + took / 1_000_000);
    }
    return new Rendered(body, done, Math.max(MIN_REUSE_NANOS, REUSE_FACTOR * took), shown);
  }

  /**
   * The checks' series straight from their counters, then the registry's other meters through the
   * Prometheus client (which would build an object per series first; see {@link io.vigil.metrics.CheckMetrics}).
   */
  private void text(OutputStream out, Format format) throws IOException {
    boolean openMetrics = format == Format.OPENMETRICS;
    TextSink.write(families, out, openMetrics);
    ExpositionFormatWriter writer = openMetrics ? openMetricsText : prometheusText;
    writer.write(out, registry.getPrometheusRegistry().scrape(name -> !name.startsWith(Family.PREFIX))); // OpenMetrics' # EOF last
  }

  private WorkerExecutor worker() {
    WorkerExecutor w = worker;
    if (w == null) {
      synchronized (this) {
        if (worker == null) {
          // Its own single thread: renderings run one at a time and never take a thread of the shared pool.
          worker = vertx.createSharedWorkerExecutor("vigil-metrics", 1, 60, TimeUnit.SECONDS);
        }
        w = worker;
      }
    }
    return w;
  }
}

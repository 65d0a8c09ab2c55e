package io.vigil.http;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.http.HttpListeners.Port;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * What the serving path's defences did, as meters: connections open per listener and those it
 * closed by reason, requests held back by a full write queue, SSE subscribers and those turned
 * away or dropped, scrapes waiting to be sent. All exist at 0 from the start (so {@code increase()}
 * sees the first one), and every label value is from a fixed set.
 */
public final class ServingMetrics {
  /** One description for every series: Prometheus keeps one HELP line per metric, not one per label value. */
  private static final String CLOSED_HELP = "Connections the listener closed to protect itself: evicted (idle the"
      + " longest when a new one came at server.max-connections), refused (at the cap with none idle), pipelining"
      + " (more than " + PipelineLimit.MAX_AHEAD + " requests ahead of their answers, or in one read)";

  private ServingMetrics() {}

  /** Registers the meters of {@code listeners} and of {@code serving}'s hub and send gate in {@code registry}. */
  public static void register(MeterRegistry registry, HttpListeners listeners, Serving serving) {
    for (Port port : Port.values()) {
      String listener = port.name().toLowerCase(Locale.ROOT);
      Gauge.builder("vigil.http.connections", listeners, l -> guarded(l, port, ConnectionGuard::open))
          .description("Connections open on the listener").tag("listener", listener).register(registry);
      closed(registry, listeners, port, listener, "evicted", ConnectionGuard::evicted);
      closed(registry, listeners, port, listener, "refused", ConnectionGuard::refused);
      closed(registry, listeners, port, listener, "pipelining", ConnectionGuard::pipelineCut);
      FunctionCounter.builder("vigil.http.requests.deferred", listeners, l -> guarded(l, port, ConnectionGuard::deferred))
          .description("Requests held back until their connection's write queue drained (back-pressure)")
          .tag("listener", listener).register(registry);
    }
    Gauge.builder("vigil.events.subscribers", serving, s -> hub(s, EventHub::clients))
        .description("Clients streaming /events").register(registry);
    FunctionCounter.builder("vigil.events.subscribers.refused", serving, s -> hub(s, EventHub::refused))
        .description("/events clients answered 503 at server.events.max-clients").register(registry);
    FunctionCounter.builder("vigil.events.subscribers.dropped", serving, s -> hub(s, EventHub::dropped))
        .description("/events clients closed because their write queue was full (they did not read)").register(registry);
    Gauge.builder("vigil.metrics.scrapes.waiting", serving, s -> s.sends().waiting())
        .description("/metrics requests waiting for their turn to be sent").register(registry);
  }

  private static void closed(MeterRegistry registry, HttpListeners listeners, Port port, String listener, String reason,
      ToDoubleFunction<ConnectionGuard> count) {
    FunctionCounter.builder("vigil.http.connections.closed", listeners, l -> guarded(l, port, count))
        .description(CLOSED_HELP)
        .tag("listener", listener).tag("reason", reason).register(registry);
  }

  private static double guarded(HttpListeners listeners, Port port, ToDoubleFunction<ConnectionGuard> count) {
    ConnectionGuard g = listeners.guard(port);
    return g == null ? 0 : count.applyAsDouble(g);
  }

  private static double hub(Serving serving, ToDoubleFunction<EventHub> count) {
    EventHub h = serving.hubIfStarted();
    return h == null ? 0 : count.applyAsDouble(h);
  }
}

package io.vigil.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MetricsNaming;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The HTTP server's meters, with Vert.x's names and labels ({@code vertx_http_server_requests_total}
 * by {@code method, route, code}, response time, request and response bytes, active requests,
 * connections, bytes, errors), each resolved once per method, route and code and then kept.
 * Vert.x's own implementation looks every meter up in the registry again for every request (five
 * lookups, each building and hashing its tags): a quarter of the CPU of a probe, the gap between
 * {@code /health/ready} and a bare server in bench/probe.py.
 */
final class ServerRequestMeters implements HttpServerMetrics<ServerRequestMeters.Request, Void, Void> {
  private static final String METHOD = "method";
  private static final String ROUTE = "route";
  private static final String CODE = "code";

  private final MeterRegistry registry;
  private final MetricsNaming names = MetricsNaming.v4Names().withBaseName(MetricsDomain.HTTP_SERVER.getPrefix());
  private final Map<HttpMethod, PerMethod> perMethod = new ConcurrentHashMap<>();
  private final Map<Outcome, PerOutcome> perOutcome = new ConcurrentHashMap<>();
  private final LongAdder connections = new LongAdder();
  private final Counter bytesRead;
  private final Counter bytesWritten;
  private final Counter errors;

  ServerRequestMeters(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder(names.getNetActiveConnections(), connections, LongAdder::doubleValue)
        .description("Number of opened connections to the server").register(registry);
    bytesRead = Counter.builder(names.getNetBytesRead()).description("Number of bytes received by the server")
        .register(registry);
    bytesWritten = Counter.builder(names.getNetBytesWritten()).description("Number of bytes sent by the server")
        .register(registry);
    errors = Counter.builder(names.getNetErrorCount()).description("Number of errors").register(registry);
  }

  /** One request: when it began, the routes it took, and which of its two ends were seen. */
  static final class Request {
    final PerMethod method;
    final long startNanos = System.nanoTime();
    String route;
    boolean requestEnded;
    boolean responseEnded;
    boolean reset;

    Request(PerMethod method) {
      this.method = method;
    }
  }

  private record Outcome(HttpMethod method, String route, int code) {}

  /** The meters of a method: requests in progress, request sizes, resets. */
  private final class PerMethod {
    final HttpMethod method;
    final LongAdder active = new LongAdder();
    final DistributionSummary requestBytes;
    final Counter resets;

    PerMethod(HttpMethod method) {
      this.method = method;
      String m = method.name();
      Gauge.builder(names.getHttpActiveRequests(), active, LongAdder::doubleValue)
          .description("Number of requests being processed").tag(METHOD, m).register(registry);
      requestBytes = DistributionSummary.builder(names.getHttpRequestBytes()).description("Size of requests in bytes")
          .tag(METHOD, m).register(registry);
      resets = Counter.builder(names.getHttpRequestResetsCount()).description("Number of request resets")
          .tag(METHOD, m).register(registry);
    }
  }

  /** The meters of a method, route and status code. */
  private final class PerOutcome {
    final Counter requests;
    final Timer time;
    final DistributionSummary responseBytes;

    PerOutcome(Outcome o) {
      String m = o.method().name();
      String code = Integer.toString(o.code());
      requests = Counter.builder(names.getHttpRequestsCount()).description("Number of processed requests")
          .tags(METHOD, m, ROUTE, o.route(), CODE, code).register(registry);
      time = Timer.builder(names.getHttpResponseTime()).description("Request processing time")
          .tags(METHOD, m, ROUTE, o.route(), CODE, code).register(registry);
      responseBytes = DistributionSummary.builder(names.getHttpResponseBytes()).description("Size of responses in bytes")
          .tags(METHOD, m, ROUTE, o.route(), CODE, code).register(registry);
    }
  }

  @Override
  public Void connected(SocketAddress remoteAddress, String remoteName) {
    connections.increment();
    return null;
  }

  @Override
  public void disconnected(Void socket, SocketAddress remoteAddress) {
    connections.decrement();
  }

  @Override
  public void bytesRead(Void socket, SocketAddress remoteAddress, long numberOfBytes) {
    bytesRead.increment(numberOfBytes);
  }

  @Override
  public void bytesWritten(Void socket, SocketAddress remoteAddress, long numberOfBytes) {
    bytesWritten.increment(numberOfBytes);
  }

  @Override
  public void exceptionOccurred(Void socket, SocketAddress remoteAddress, Throwable t) {
    errors.increment();
  }

  @Override
  public Request requestBegin(Void socket, HttpRequest request) {
    Request r = new Request(perMethod.computeIfAbsent(request.method(), PerMethod::new));
    r.method.active.increment();
    return r;
  }

  @Override
  public void requestRouted(Request r, String route) {
    if (route != null) {
      r.route = r.route == null ? route : r.route + '>' + route; // nested routers, as Vert.x joins them
    }
  }

  @Override
  public void requestEnd(Request r, HttpRequest request, long bytesRead) {
    r.method.requestBytes.record(bytesRead);
    r.requestEnded = true;
    if (!r.reset && r.responseEnded) {
      r.method.active.decrement();
    }
  }

  @Override
  public void requestReset(Request r) {
    r.method.resets.increment();
    r.method.active.decrement();
    r.reset = true;
  }

  @Override
  public void responseEnd(Request r, HttpResponse response, long bytesWritten) {
    PerOutcome o = perOutcome.computeIfAbsent(new Outcome(r.method.method, r.route == null ? "" : r.route,
        response.statusCode()), PerOutcome::new);
    o.requests.increment();
    o.time.record(System.nanoTime() - r.startNanos, TimeUnit.NANOSECONDS);
    o.responseBytes.record(bytesWritten);
    r.responseEnded = true;
    if (!r.reset && r.requestEnded) {
      r.method.active.decrement();
    }
  }
}

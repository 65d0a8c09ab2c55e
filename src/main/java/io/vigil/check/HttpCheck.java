package io.vigil.check;

import io.vigil.config.HttpSettings;
import io.vigil.model.Observation;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetClientOptions;
import io.vigil.model.Version;
import io.vigil.config.CheckConfig;
import io.vigil.model.Reason;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * An {@code http} check: one request over a keep-alive pool of Vert.x's core HTTP client, shared
 * with the http checks of the same options on the same event loop ({@link SharedHttpClients}); the body
 * is read up to {@value #MAX_BODY} bytes. Facts (status, body, latency, the server certificate's
 * expiry) are gathered, then {@link HttpEvaluation} judges them with no I/O.
 *
 * <p>The core client, not WebClient, because its request can be ended: {@link #abort()} resets it,
 * which for HTTP/1.1 closes the connection, so a target that never answers cannot fill the pool
 * with abandoned requests. No request timeout ({@code RequestOptions.setTimeout}): in Vert.x 5.0.10
 * its timer can fire for a request that already ended and log a SEVERE "Promise already completed";
 * {@link CheckRunner} bounds the wall clock and the connect and TLS handshake timeouts bound the rest.
 */
public final class HttpCheck implements Check {
  static final int MAX_BODY = 1024 * 1024;
  private final HttpSettings settings;
  private final SharedHttpClients.Lease lease;
  private final HttpClient client;
  /**
   * The context the probe's chain runs on. The body handlers are set when the response head has
   * arrived; on the client's own context that is the same turn of the loop, before any body is read.
   * Called from another thread, a small response could end before its handlers are set, and Vert.x
   * then throws a bare IllegalStateException (seen as reason internal in a check test).
   */
  private final Context context;
  /** The exchange in flight: what {@link #abort()} ends (one at a time, see {@link Check}). */
  private volatile InFlight<HttpClientRequest> current;

  public HttpCheck(Vertx vertx, CheckConfig config) {
    this.settings = (HttpSettings) config.settings();
    NetClientOptions net = ClientOptions.net(config.options());
    boolean https = "https".equals(settings.url().getScheme());
    HttpClientOptions options = new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_1_1)
        .setKeepAlive(true)
        .setConnectTimeout(net.getConnectTimeout())
        .setSslHandshakeTimeout(net.getSslHandshakeTimeout())
        .setSslHandshakeTimeoutUnit(net.getSslHandshakeTimeoutUnit())
        .setReadIdleTimeout(net.getReadIdleTimeout())
        .setIdleTimeoutUnit(net.getIdleTimeoutUnit())
        .setTcpKeepAlive(true)
        .setSsl(https)
        .setTrustAll(!settings.verifyTls())
        .setVerifyHost(settings.verifyTls());
    this.context = vertx.getOrCreateContext();
    this.lease = SharedHttpClients.acquire(vertx, options);
    this.client = lease.client;
  }

  @Override
  public Future<Observation> probe() {
    // reset() ends a request that was sent (HTTP/1.1: its connection closes); one obtained after the
    // abort is never sent, and its connection is closed: the target was too slow to keep it alive.
    InFlight<HttpClientRequest> exchange = new InFlight<>(HttpClientRequest::reset, req -> req.connection().close());
    current = exchange;
    if (Vertx.currentContext() == context) {
      return probeOnContext(exchange);
    }
    Promise<Observation> observed = Promise.promise();
    context.runOnContext(v -> probeOnContext(exchange).onComplete(observed));
    return observed.future();
  }

  private Future<Observation> probeOnContext(InFlight<HttpClientRequest> exchange) {
    RequestOptions request = new RequestOptions()
        .setMethod(HttpMethod.valueOf(settings.method()))
        .setAbsoluteURI(settings.url().toString())
        .setFollowRedirects(false)
        .putHeader("user-agent", "vigil/" + Version.get());
    settings.headers().forEach(request::putHeader);
    long start = System.nanoTime();
    return client.request(request)
        .compose(req -> {
          // The failure reaches us through send(); without a handler a reset is also logged SEVERE.
          req.exceptionHandler(e -> { });
          if (!exchange.attach(req)) {
            return Future.failedFuture(new IllegalStateException("probe aborted before its request was sent"));
          }
          return req.send();
        })
        .compose(response -> read(response, exchange).map(body -> HttpEvaluation.evaluate(settings,
            new HttpEvaluation.Facts(response.statusCode(), body.toString(), Duration.ofNanos(System.nanoTime() - start),
                certificateExpiry(response.request().connection()), Instant.now()))))
        .recover(error -> error instanceof BoundedBody.TooLarge
            ? Future.succeededFuture(Observation.down(Reason.PROTOCOL, error.getMessage()))
            : Future.failedFuture(error));
  }

  /** The body, kept up to the cap; past it the request is reset and the read fails. */
  private static Future<Buffer> read(HttpClientResponse response, InFlight<HttpClientRequest> exchange) {
    Promise<Buffer> done = Promise.promise();
    BoundedBody body = new BoundedBody(MAX_BODY);
    response.handler(chunk -> {
      if (!body.append(chunk)) {
        done.tryFail(new BoundedBody.TooLarge(MAX_BODY)); // first: the reset fails the response too
        exchange.abort();
      }
    });
    response.exceptionHandler(done::tryFail);
    response.endHandler(v -> done.tryComplete(body.body()));
    return done.future();
  }

  /**
   * The server certificate's expiry, read from the connection that carried the request (no second
   * handshake); null over plain HTTP or when the peer sent none.
   */
  static Instant certificateExpiry(HttpConnection connection) {
    if (connection == null || !connection.isSsl()) {
      return null;
    }
    try {
      for (Certificate c : connection.peerCertificates()) {
        if (c instanceof X509Certificate x509) {
          return x509.getNotAfter().toInstant();
        }
      }
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
    return null;
  }

  @Override
  public void abort() {
    InFlight<HttpClientRequest> exchange = current;
    if (exchange != null) {
      exchange.abort();
    }
  }

  @Override
  public Future<Void> close() {
    return lease.release();
  }
}

package io.vigil.check;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.codec.BodyCodec;
import io.vigil.Version;
import io.vigil.config.CheckConfig;
import io.vigil.status.Reason;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;

/**
 * An {@code http} check: one request over a keep-alive WebClient pool; the body is read up to
 * {@value #MAX_BODY} bytes. Facts (status, body, latency, certificate days) are gathered, then
 * {@link HttpEvaluation} judges them with no I/O.
 *
 * <p>No {@code request.timeout(ms)}: in Vert.x 5.0.10 its timer can fire for a request that already
 * ended and log a SEVERE "Promise already completed". The wall clock is bounded by
 * {@link CheckRunner}; a silent connection is closed by the pool's read-idle timeout; a trickling
 * one by {@link BoundedBody#abandon()}.
 */
public final class HttpCheck implements Check {
  static final int MAX_BODY = 1024 * 1024;
  private final Vertx vertx;
  private final HttpSettings settings;
  private final long timeoutMs;
  private final WebClient client;
  private final NetClient tlsClient;

  public HttpCheck(Vertx vertx, CheckConfig config) {
    this.vertx = vertx;
    this.settings = (HttpSettings) config.settings();
    this.timeoutMs = config.options().timeout().toMillis();
    NetClientOptions net = ClientOptions.net(config.options());
    boolean https = "https".equals(settings.url().getScheme());
    WebClientOptions options = new WebClientOptions()
        .setUserAgent("vigil/" + Version.get())
        .setFollowRedirects(false)
        .setKeepAlive(true)
        .setConnectTimeout(net.getConnectTimeout())
        .setReadIdleTimeout(net.getReadIdleTimeout())
        .setIdleTimeoutUnit(net.getIdleTimeoutUnit())
        .setSsl(https)
        .setTrustAll(!settings.verifyTls())
        .setVerifyHost(settings.verifyTls());
    this.client = WebClient.create(vertx, options, new PoolOptions().setHttp1MaxSize(2).setMaxWaitQueueSize(8));
    this.tlsClient = https && settings.minCertDays() != null
        ? vertx.createNetClient(new NetClientOptions(net).setSsl(true).setTrustAll(!settings.verifyTls())
            .setHostnameVerificationAlgorithm(settings.verifyTls() ? "HTTPS" : ""))
        : null;
  }

  @Override
  public Future<Observation> probe() {
    BoundedBody body = new BoundedBody(MAX_BODY);
    HttpRequest<Void> request = client.requestAbs(HttpMethod.valueOf(settings.method()), settings.url().toString())
        .as(BodyCodec.pipe(body));
    settings.headers().forEach(request::putHeader);
    long timer = vertx.setTimer(Math.max(1, timeoutMs), id -> body.abandon());
    long start = System.nanoTime();
    Future<Observation> observed = request.send().compose(response -> {
      Duration latency = Duration.ofNanos(System.nanoTime() - start);
      return certificateDays().map(days -> HttpEvaluation.evaluate(settings,
          new HttpEvaluation.Facts(response.statusCode(), body.body().toString(), latency, days)));
    }, error -> error instanceof BoundedBody.TooLarge
        ? Future.succeededFuture(Observation.down(Reason.PROTOCOL, error.getMessage()))
        : Future.failedFuture(error));
    return observed.onComplete(ar -> vertx.cancelTimer(timer));
  }

  /** Days until the server certificate expires, when {@code expect.cert-days} asks for it. */
  private Future<Long> certificateDays() {
    if (tlsClient == null) {
      return Future.succeededFuture(null);
    }
    int port = settings.url().getPort() > 0 ? settings.url().getPort() : 443;
    return tlsClient.connect(port, settings.url().getHost()).compose(socket -> {
      try {
        for (Certificate c : socket.peerCertificates()) {
          if (c instanceof X509Certificate x509) {
            long days = Duration.between(Instant.now(), x509.getNotAfter().toInstant()).toDays();
            return socket.close().map(v -> days);
          }
        }
        return socket.close().map(v -> (Long) null);
      } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
        return socket.close().transform(v -> Future.failedFuture(e));
      }
    });
  }

  @Override
  public Future<Void> close() {
    client.close();
    return tlsClient == null ? Future.succeededFuture() : tlsClient.close();
  }
}

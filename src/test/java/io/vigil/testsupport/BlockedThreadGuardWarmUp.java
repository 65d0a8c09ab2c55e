package io.vigil.testsupport;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.dns.AddressResolverOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs a whole monitor once per test JVM before the first test, so that the JVM's one-time work
 * (loading and linking the classes of Netty, Vert.x, the clients, Micrometer) is not charged to
 * whichever test happens to come first. On this project's shared 2-core machines a cold start keeps
 * event loops busy for 1-2 s; that says nothing about the code, but it would fail the first test
 * of every JVM at a 200 ms limit. The warnings of the warm-up are logged here, counted, and dropped;
 * from the first test on, every one fails. {@code -Dvigil.test.warm-up=false} skips it.
 */
final class BlockedThreadGuardWarmUp {
  static final String ENABLED = "vigil.test.warm-up";
  private static final Logger LOG = Logger.getLogger(BlockedThreadGuardWarmUp.class.getName());
  private static boolean done;

  private BlockedThreadGuardWarmUp() {}

  /** Once per JVM; never fails a test: a warm-up that goes wrong is logged and given up. */
  static synchronized void once() {
    if (done || !Boolean.parseBoolean(System.getProperty(ENABLED, "true"))) {
      return;
    }
    done = true;
    long t0 = System.nanoTime();
    try {
      run();
    } catch (RuntimeException | AssertionError | LinkageError e) {
      LOG.log(Level.WARNING, "warm-up failed; the first tests may pay the JVM's class loading", e);
    }
    List<String> seen = BlockedThreadGuard.takeWarnings();
    long longest = seen.stream().mapToLong(BlockedThreadGuard::blockedMs).filter(ms -> ms >= 0).max().orElse(0);
    LOG.info("warm-up ms=" + (System.nanoTime() - t0) / 1_000_000 + " blockedThreadWarnings=" + seen.size()
        + " longestBlockMs=" + longest + " (class loading of a cold JVM; charged to no test)");
  }

  private static void run() {
    long t0 = System.nanoTime();
    Vertx vertx = Vertx.vertx();
    try {
      HttpServer target = MonitorFixture.await(vertx.createHttpServer()
          .requestHandler(req -> req.response().putHeader("content-type", "application/json").end("{\"status\":\"UP\"}"))
          .listen(0, "127.0.0.1"));
      StringBuilder checks = new StringBuilder()
          .append("  web: { type: http, url: \"http://127.0.0.1:").append(target.actualPort())
          .append("/\", expect: { json: { status: UP } } }\n")
          .append("  port: { type: tcp, host: 127.0.0.1, port: ").append(target.actualPort()).append(" }\n");
      optional(() -> checks.append("  redis: { type: redis, uri: \"").append(TestServers.redisUri())
          .append("\", expect: { writable: true } }\n"));
      optional(() -> checks.append("  postgres: { type: postgres, uri: \"").append(TestServers.postgresUri()).append("\" }\n"));
      long t1 = System.nanoTime();
      try (MonitorFixture m = MonitorFixture.start("checks:\n  defaults: { interval: 200ms, timeout: 150ms }\n" + checks)) {
        MonitorFixture.eventually(Duration.ofSeconds(20), "warm-up monitor ready", () -> m.status("/health/ready") == 200);
        LOG.info("warm-up serversFoundMs=" + (t1 - t0) / 1_000_000 + " readyMs=" + (System.nanoTime() - t1) / 1_000_000);
        for (String path : List.of("/health", "/health?verbose", "/health/live", "/metrics", "/")) {
          m.get(path);
        }
        m.get("/health", "Accept", "application/health+json");
        firstEvents(m.port());
      }
    } finally {
      MonitorFixture.await(vertx.close());
    }
    firstDnsQuery();
    firstTlsHandshake();
  }

  /**
   * One HTTPS request to a self-signed server: the first handshake of a JVM sets up the JDK's TLS
   * engine and Netty's SslHandler on an event loop (201-270 ms seen on a starved core, charged to
   * the first https check test).
   */
  private static void firstTlsHandshake() {
    Vertx tls = Vertx.vertx();
    try {
      SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
      HttpServer server = MonitorFixture.await(tls.createHttpServer(new HttpServerOptions()
              .setSsl(true).setKeyCertOptions(cert.keyCertOptions()))
          .requestHandler(req -> req.response().end("ok")).listen(0, "127.0.0.1"));
      MonitorFixture.await(tls.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true)
              .setVerifyHost(false))
          .request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/")
          .compose(req -> req.send()).compose(HttpClientResponse::body));
    } catch (RuntimeException | AssertionError e) {
      LOG.fine("warm-up TLS handshake: " + e);
    } finally {
      MonitorFixture.await(tls.close());
    }
  }

  /**
   * One name resolved through DNS, not the hosts file: the first query of a JVM loads Netty's DNS
   * resolver and opens its datagram channel on an event loop (246 ms seen, charged to the first
   * fault-matrix case). The "server" is a closed loopback port, as in the fault matrix.
   */
  private static void firstDnsQuery() {
    Vertx dns = Vertx.vertx(new VertxOptions().setAddressResolverOptions(new AddressResolverOptions()
        .setServers(List.of("127.0.0.1:" + TestPorts.closed())).setQueryTimeout(200).setMaxQueries(1)));
    try {
      dns.createNetClient().connect(1, "vigil-warm-up.invalid").toCompletionStage().toCompletableFuture()
          .handle((socket, error) -> null).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.fine("warm-up DNS query: " + e);
    } finally {
      MonitorFixture.await(dns.close());
    }
  }

  /** Opens {@code /events}, reads its first bytes (the snapshot), and hangs up. */
  private static void firstEvents(int port) {
    try {
      HttpResponse<InputStream> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/events")).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = r.body()) {
        in.read(new byte[256]);
      }
    } catch (Exception e) {
      LOG.fine("warm-up /events: " + e);
    }
  }

  private static void optional(Runnable addCheck) {
    try {
      addCheck.run();
    } catch (IllegalStateException noServer) {
      LOG.info("warm-up without a server: " + noServer.getMessage());
    }
  }
}

package io.vigil.check;

import static io.vigil.testsupport.MonitorFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vigil.config.CheckConfig;
import io.vigil.config.ConfigLoader;
import io.vigil.config.Secrets;
import io.vigil.model.CheckResult;
import io.vigil.model.Reason;
import io.vigil.testsupport.TestServers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code rediss://} checks that the certificate is for the host the URI names. A TLS stand-in on
 * 127.0.0.1 terminates TLS and forwards to the real Redis; its certificate, made with openssl, is
 * trusted either way (handed to the check as its CA), so the only difference between the two cases
 * is the name: for 127.0.0.1 the check is UP, for another name it fails with {@code tls}.
 */
class RedissHostnameTest {
  private static Vertx vertx;
  private static Path dir;
  private static String redis;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    redis = TestServers.redisUri();
    dir = Files.createTempDirectory("vigil-rediss");
    certificate("right", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1");
    certificate("wrong", "/CN=redis.other.example", "subjectAltName=DNS:redis.other.example");
  }

  @AfterAll
  static void stop() throws IOException {
    await(vertx.close());
    try (var files = Files.list(dir)) {
      for (Path p : files.toList()) {
        Files.delete(p);
      }
    }
    Files.delete(dir);
  }

  /** A self-signed certificate and its key, {@code name}.crt and {@code name}.key. */
  private static void certificate(String name, String subject, String altName) throws Exception {
    Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", subject, "-addext", altName,
        "-keyout", dir.resolve(name + ".key").toString(), "-out", dir.resolve(name + ".crt").toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError("openssl req failed: " + out);
    }
  }

  /** TLS on 127.0.0.1 with {@code name}'s certificate, each connection piped to the real Redis. */
  private static NetServer standIn(String name) {
    NetServerOptions options = new NetServerOptions().setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
        .setCertPath(dir.resolve(name + ".crt").toString()).setKeyPath(dir.resolve(name + ".key").toString()));
    return await(vertx.createNetServer(options).connectHandler(client -> {
      client.pause();
      vertx.createNetClient().connect(TestServers.port(redis), TestServers.host(redis)).onSuccess(upstream -> {
        pipe(client, upstream);
        pipe(upstream, client);
        client.resume();
      }).onFailure(e -> client.close());
    }).listen(0, "127.0.0.1"));
  }

  private static void pipe(NetSocket from, NetSocket to) {
    from.handler(to::write);
    from.closeHandler(v -> to.close());
  }

  private static CheckResult probe(String name) {
    NetServer server = standIn(name);
    String uri = redis.replaceFirst("^redis://", "rediss://")
        .replace(TestServers.host(redis) + ":" + TestServers.port(redis), "127.0.0.1:" + server.actualPort());
    // A generous timeout: a cold JVM's first TLS handshake takes seconds on a busy machine.
    CheckConfig config = new ConfigLoader(Map.of()).parse("checks:\n  target: { interval: 10s, timeout: 9s, type: redis, uri: \""
        + uri + "\" }\n", "test.yaml").checks().get(0);
    Check check = new RedisCheck(vertx, config,
        new PemTrustOptions().addCertPath(dir.resolve(name + ".crt").toString()));
    try {
      return await(new CheckRunner(vertx, "target", "redis", check, Duration.ofSeconds(9), Secrets.none()).run());
    } finally {
      await(check.close());
      await(server.close());
    }
  }

  @Test
  void aCertificateForTheHostInTheUriIsAccepted() {
    CheckResult r = probe("right");
    assertTrue(r.ok(), "the stand-in works and its certificate is trusted: " + r);
  }

  @Test
  void aTrustedCertificateForAnotherHostIsATlsFailure() {
    CheckResult r = probe("wrong");
    assertEquals(Reason.TLS, r.reason(), r.toString());
    assertTrue(r.message().contains("127.0.0.1"), "names the host that did not match: " + r.message());
  }
}

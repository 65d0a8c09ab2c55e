package io.vigil.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.PgException;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Row;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each private-server fixture against a real client: the servers are real processes and sockets, and
 * the clients are the ones Vigil uses. Blocking steps (start, stop, restart, awaiting a client's
 * future) run on the JUnit thread, never on an event loop.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PrivateServersTest {

  @Test
  void privatePostgresWantsItsPasswordAndKeepsItsPortAcrossRestarts(Vertx vertx) {
    try (PrivatePostgres pg = PrivatePostgres.start()) {
      int port = pg.port();
      assertTrue(port >= 20_000 && port < 32_768, "below the ephemeral range: " + port);
      assertEquals("postgresql://postgres@127.0.0.1:" + port + "/postgres", pg.uri());
      assertFalse(pg.uri().contains(pg.password()));

      assertEquals(List.of("postgres", "scram-sha-256", "127.0.0.1/32"),
          query(vertx, pg, pg.password(), "SELECT current_user::text, current_setting('password_encryption'),"
              + " inet_server_addr()::text"), pg.serverLog());

      assertAuthFailure(failure(connect(vertx, pg, null)));
      assertAuthFailure(failure(connect(vertx, pg, pg.password() + "-wrong")));

      pg.restart();
      assertEquals(port, pg.port());
      assertEquals("postgres", query(vertx, pg, pg.password(), "SELECT current_user::text").get(0));

      pg.stop();
      assertFalse(pg.isRunning());
      assertInstanceOf(ConnectException.class, failure(connect(vertx, pg, pg.password())));
      pg.restart();
      assertEquals(port, pg.port());
      assertEquals("postgres", query(vertx, pg, pg.password(), "SELECT current_user::text").get(0));

      pg.close();
      assertFalse(PrivateFixtures.accepts(port), "closed: nothing listens on " + port);
      assertFalse(Files.exists(pg.dir()), "deleted: " + pg.dir());
    }
  }

  @Test
  void privatePostgresThatCannotStartSaysWhyWithItsLog(Vertx vertx) throws IOException {
    try (PrivatePostgres pg = PrivatePostgres.start()) {
      pg.stop();
      try (ServerSocket squatter = new ServerSocket()) {
        squatter.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), pg.port()));
        IllegalStateException e = assertThrows(IllegalStateException.class, pg::restart);
        assertTrue(e.getMessage().contains("another process took the port"), e.getMessage());
        assertTrue(e.getMessage().contains("could not bind IPv4 address \"127.0.0.1\""), e.getMessage()); // pg's log
      }
      pg.restart(); // the port is free again
      assertEquals("postgres", query(vertx, pg, pg.password(), "SELECT current_user::text").get(0));
    }
    assertThrows(IllegalArgumentException.class, () -> PrivatePostgres.start("two\nlines"));
  }

  @Test
  void privateRedisAnswersRefusesWhenStoppedAndAnswersAgainOnTheSamePort(Vertx vertx) {
    try (PrivateRedis redis = PrivateRedis.launch()) {
      int port = redis.port();
      assertTrue(port >= 20_000 && port < 32_768, "below the ephemeral range: " + port);
      assertEquals("redis://127.0.0.1:" + port, redis.uri());
      assertEquals("PONG", ping(vertx, redis.uri(), null));

      redis.stop();
      assertFalse(redis.isRunning());
      Throwable refused = pingFailure(vertx, redis.uri(), null);
      assertTrue(String.valueOf(refused.getMessage()).contains("Connection refused"), refused.toString());

      redis.start();
      assertEquals(port, redis.port());
      assertEquals("PONG", ping(vertx, redis.uri(), null), redis.serverLog());

      redis.restart();
      assertEquals("PONG", ping(vertx, redis.uri(), null), redis.serverLog());
    }
  }

  @Test
  void privateRedisWithAPasswordWantsIt(Vertx vertx) {
    try (PrivateRedis redis = PrivateRedis.launch("r3dis-pw")) {
      assertEquals("redis://:r3dis-pw@127.0.0.1:" + redis.port(), redis.uriWithPassword());
      Throwable noAuth = pingFailure(vertx, redis.uri(), null);
      assertTrue(noAuth.getMessage().startsWith("NOAUTH"), noAuth.toString());
      assertEquals("PONG", ping(vertx, redis.uri(), "r3dis-pw"));
      assertEquals("PONG", ping(vertx, redis.uriWithPassword(), null));
    }
  }

  @Test
  void echoHttpTargetEchoesTheQueryAndEveryHeader(Vertx vertx) {
    try (EchoHttpTarget target = EchoHttpTarget.start(vertx)) {
      WebClient client = WebClient.create(vertx);
      try {
        HttpResponse<?> r = await(client.requestAbs(HttpMethod.GET, target.url("/probe?token=t456&x=1"))
            .putHeader("X-Api-Key", "k123").send());
        assertEquals(500, r.statusCode());
        String body = r.bodyAsString();
        assertTrue(body.startsWith("GET /probe?token=t456&x=1 HTTP/1.1\r\n"), body);
        assertTrue(body.contains("\r\nX-Api-Key: k123\r\n"), body);
        assertEquals(body, target.lastEcho());
        assertEquals(1, target.requests());

        target.status(418);
        HttpResponse<?> post = await(client.requestAbs(HttpMethod.POST, target.url("submit"))
            .putHeader("Authorization", "Bearer b789").sendBuffer(io.vertx.core.buffer.Buffer.buffer("password=p000")));
        assertEquals(418, post.statusCode());
        assertTrue(post.bodyAsString().contains("Authorization: Bearer b789"), post.bodyAsString());
        assertTrue(post.bodyAsString().endsWith("\r\n\r\npassword=p000"), post.bodyAsString());
        assertEquals(2, target.requests());
      } finally {
        client.close();
      }
    }
  }

  @Test
  void authQuotingRedisPutsThePasswordIntoTheClientsError(Vertx vertx) {
    try (AuthQuotingRedis server = AuthQuotingRedis.start()) {
      assertEquals("redis://:s3cret-in-uri@127.0.0.1:" + server.port(), server.uri("s3cret-in-uri"));
      Throwable inUri = pingFailure(vertx, server.uri("s3cret-in-uri"), null);
      assertTrue(inUri.getMessage().contains("s3cret-in-uri"), inUri.toString());
      assertTrue(inUri.getMessage().startsWith("WRONGPASS"), inUri.toString());

      // The same through the password option, as Vigil's "password:" key passes it.
      Throwable inOption = pingFailure(vertx, "redis://127.0.0.1:" + server.port(), "s3cret-in-option");
      assertTrue(inOption.getMessage().contains("s3cret-in-option"), inOption.toString());

      assertTrue(server.authAttempts() >= 2, "AUTH attempts: " + server.authAttempts());
      assertTrue(server.passwordsReceived().containsAll(List.of("s3cret-in-uri", "s3cret-in-option")),
          server.passwordsReceived().toString());
    }
  }

  @Test
  void authQuotingRedisAnswersPongOnceAuthenticated(Vertx vertx) {
    try (AuthQuotingRedis server = AuthQuotingRedis.accepting("right-pw")) {
      assertEquals("PONG", ping(vertx, server.uri("right-pw"), null));
      Throwable noAuth = pingFailure(vertx, "redis://127.0.0.1:" + server.port(), null);
      assertTrue(noAuth.getMessage().startsWith("NOAUTH"), noAuth.toString());
    }
  }

  @Test
  void closedFixturesLeaveNothingBehind() {
    PrivateRedis redis = PrivateRedis.launch();
    int redisPort = redis.port();
    Path redisDir = redis.dir();
    redis.close();
    assertFalse(PrivateFixtures.accepts(redisPort));
    redis.close(); // idempotent

    EchoHttpTarget echo = EchoHttpTarget.start();
    int echoPort = echo.port();
    echo.close();
    assertFalse(PrivateFixtures.accepts(echoPort));

    AuthQuotingRedis quoting = AuthQuotingRedis.start();
    int quotingPort = quoting.port();
    quoting.close();
    assertFalse(PrivateFixtures.accepts(quotingPort));

    assertFalse(Files.exists(redisDir), "deleted: " + redisDir);
  }

  // --- clients ---

  private static Future<PgConnection> connect(Vertx vertx, PrivatePostgres pg, String password) {
    PgConnectOptions options = PgConnectOptions.fromUri(pg.uri());
    if (password != null) {
      options.setPassword(password);
    }
    return PgConnection.connect(vertx, options);
  }

  /** The first row of {@code sql}, as text, through a connection with {@code password}. */
  private static List<String> query(Vertx vertx, PrivatePostgres pg, String password, String sql) {
    PgConnection c = await(connect(vertx, pg, password));
    try {
      Row row = await(c.query(sql).execute()).iterator().next();
      return java.util.stream.IntStream.range(0, row.size()).mapToObj(row::getString).toList();
    } finally {
      await(c.close());
    }
  }

  private static void assertAuthFailure(Throwable t) {
    PgException e = assertInstanceOf(PgException.class, t, String.valueOf(t));
    assertTrue(List.of("28P01", "28000").contains(e.getSqlState()), e.getSqlState() + " " + e.getMessage());
  }

  private static Future<Response> send(Vertx vertx, String uri, String password) {
    RedisOptions options = new RedisOptions().setConnectionString(uri);
    if (password != null) {
      options.setPassword(password);
    }
    Redis client = Redis.createClient(vertx, options);
    return client.send(Request.cmd(Command.PING)).eventually(client::close);
  }

  private static String ping(Vertx vertx, String uri, String password) {
    return String.valueOf(await(send(vertx, uri, password)));
  }

  private static Throwable pingFailure(Vertx vertx, String uri, String password) {
    return failure(send(vertx, uri, password));
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("failed: " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError("no result within 10 s: " + e, e);
    }
  }

  /** The failure of {@code f}; fails the test when it succeeds. */
  private static Throwable failure(Future<?> f) {
    try {
      Object ok = f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + ok);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no result within 10 s: " + e, e);
    }
  }
}

package io.vigil.check;

import static io.vigil.testsupport.MonitorFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vigil.config.CheckConfig;
import io.vigil.config.ConfigLoader;
import io.vigil.config.Secrets;
import io.vigil.model.CheckResult;
import io.vigil.model.Reason;
import io.vigil.testsupport.MonitorFixture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A probe that timed out is really over: against a target that accepts and never answers, each
 * type's socket is closed right after the timeout, not when a read-idle timer fires seconds later
 * (the backstop here is 2 x 2s + 300ms), so repeated timeouts never pile connections up.
 */
class AbortTest {
  static final Duration TIMEOUT = Duration.ofMillis(300);
  /** Far below the 4.3 s read-idle backstop: only abort closes the socket this soon. */
  static final Duration CLOSED_WITHIN = Duration.ofMillis(1500);

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    // Warm the HTTP client up on a target that answers: a cold JVM on a busy machine can take
    // seconds to open its first connection, which is class loading, not what this test measures.
    HttpServer answers = await(vertx.createHttpServer().requestHandler(req -> req.response().end("ok"))
        .listen(0, "127.0.0.1"));
    Check warm = Checks.create(vertx, config(body("http", answers.actualPort())));
    await(new CheckRunner(vertx, "warm", "http", warm, Duration.ofSeconds(8), Secrets.none()).run());
    await(warm.close());
    await(answers.close());
  }

  @AfterAll
  static void stop() {
    await(vertx.close());
  }

  static String body(String type, int port) {
    return switch (type) {
      case "http" -> "type: http, url: \"http://127.0.0.1:" + port + "/health\"";
      case "tcp" -> "type: tcp, host: 127.0.0.1, port: " + port + ", send: \"PING\\r\\n\", expect: { contains: PONG }";
      case "redis" -> "type: redis, uri: \"redis://127.0.0.1:" + port + "\"";
      case "postgres" -> "type: postgres, uri: \"postgresql://postgres@127.0.0.1:" + port + "/test\"";
      default -> throw new IllegalArgumentException(type);
    };
  }

  static CheckConfig config(String body) {
    String yaml = "checks:\n  target: { interval: 2s, timeout: " + TIMEOUT.toMillis() + "ms, " + body + " }\n";
    return new ConfigLoader(Map.of()).parse(yaml, "test.yaml").checks().get(0);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"http", "tcp", "redis", "postgres"})
  void aTimedOutProbeClosesItsConnectionAtOnceEveryTime(String type) {
    try (SilentTarget target = new SilentTarget()) {
      CheckConfig config = config(body(type, target.port()));
      Check check = Checks.create(vertx, config);
      CheckRunner runner = new CheckRunner(vertx, "target", type, check, TIMEOUT, Secrets.none());
      try {
        for (int i = 1; i <= 5; i++) {
          CheckResult r = await(runner.run());
          assertEquals(Reason.TIMEOUT, r.reason(), "probe " + i + ": " + r);
          int probe = i;
          // A cold JVM may connect only after the timeout: then the late connection is closed too.
          MonitorFixture.eventually(CLOSED_WITHIN, type + " probe " + i + "'s future to complete", () -> !runner.busy());
          MonitorFixture.eventually(CLOSED_WITHIN, type + " probe " + probe + " still holds " + target.open()
              + " connection(s) after its timeout", () -> target.open() == 0);
        }
        assertTrue(target.accepted() >= 1 && target.accepted() <= 5, "one connection per probe at most: " + target.accepted());
        assertTrue(target.maxOpen() <= 1, "never more than the probe in flight: " + target.maxOpen());
      } finally {
        await(check.close());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"http", "redis", "postgres"})
  void anAbortedProbesOwnFutureEndsSoTheNextRoundProbesAgain(String type) {
    try (SilentTarget target = new SilentTarget()) {
      Check check = Checks.create(vertx, config(body(type, target.port())));
      CheckRunner runner = new CheckRunner(vertx, "target", type, check, TIMEOUT, Secrets.none());
      try {
        await(runner.run());
        MonitorFixture.eventually(CLOSED_WITHIN, "the aborted probe's future to complete", () -> !runner.busy());
        CheckResult second = await(runner.run());
        assertEquals(Reason.TIMEOUT, second.reason(), second.toString());
        assertTrue(second.message().startsWith("no answer within"), "a real second probe ran: " + second.message());
        assertEquals(2, target.accepted(), "on a connection of its own");
      } finally {
        await(check.close());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"http", "tcp", "redis", "postgres"})
  void aProbeThatGotGarbageLeavesNoConnectionOpen(String type) {
    byte[] garbage = "\u0000\u00ff\u00fegarbage\r\n-ERR? HTTP/9 \u0013\u0014\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    try (SilentTarget target = new SilentTarget(garbage)) {
      Check check = Checks.create(vertx, config(body(type, target.port())));
      CheckRunner runner = new CheckRunner(vertx, "target", type, check, TIMEOUT, Secrets.none());
      try {
        for (int i = 1; i <= 3; i++) {
          CheckResult r = await(runner.run());
          assertTrue(!r.ok(), "probe " + i + ": " + r);
          int probe = i;
          MonitorFixture.eventually(CLOSED_WITHIN, type + " probe " + probe + " (" + r.reason() + ") still holds "
              + target.open() + " connection(s)", () -> !runner.busy() && target.open() == 0);
        }
      } finally {
        await(check.close());
      }
    }
  }
}

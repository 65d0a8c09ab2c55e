package io.vigil.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vigil.config.ConfigLoader;
import io.vigil.model.CheckResult;
import io.vigil.model.Reason;
import io.vigil.testsupport.AuthQuotingRedis;
import io.vigil.testsupport.CheckHarness;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Redis password, wherever the config puts it (the URI's user info, the {@code password} key, a
 * {@code ?password=} parameter), against a server that quotes the password it got in its AUTH
 * error: the password really reaches the server, its error really reaches the message, and the
 * message, data and records show it masked.
 */
class RedisPasswordTest {
  private static final String PASSWORD = "Quoted-Redis-Pw-3141";
  private static Vertx vertx;
  private static AuthQuotingRedis refusing;
  private static AuthQuotingRedis accepting;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    refusing = AuthQuotingRedis.start();
    accepting = AuthQuotingRedis.accepting(PASSWORD);
  }

  @AfterAll
  static void stop() {
    refusing.close();
    accepting.close();
    vertx.close();
  }

  private static String inUri(AuthQuotingRedis r) {
    return "type: redis, uri: \"" + r.uri(PASSWORD) + "\"";
  }

  private static String inField(AuthQuotingRedis r) {
    return "type: redis, uri: \"redis://127.0.0.1:" + r.port() + "\", password: \"" + PASSWORD + "\"";
  }

  private static String inQuery(AuthQuotingRedis r) {
    return "type: redis, uri: \"redis://127.0.0.1:" + r.port() + "?password=" + PASSWORD + "\"";
  }

  @Test
  void theQuotedPasswordIsMaskedWhereverTheConfigPutsIt() {
    for (String body : List.of(inUri(refusing), inField(refusing), inQuery(refusing))) {
      int before = refusing.passwordsReceived().size();
      CheckResult r;
      try (CheckHarness c = CheckHarness.of(vertx, body)) {
        r = c.probe();
      }
      assertEquals(PASSWORD, refusing.passwordsReceived().get(before), "the server got the password: " + body);
      assertEquals(Reason.AUTH, r.reason(), r.toString());
      assertEquals("WRONGPASS invalid username-password pair: got '****'", r.message(), "the quote reaches the message, masked");
      assertFalse(r.toString().contains(PASSWORD), r.toString());
      assertFalse(String.valueOf(r.data()).contains(PASSWORD), String.valueOf(r.data()));
    }
  }

  @Test
  void theSamePasswordIsWhatTheServerAccepts() {
    for (String body : List.of(inUri(accepting), inField(accepting), inQuery(accepting))) {
      try (CheckHarness c = CheckHarness.of(vertx, body)) {
        c.probeUntil(java.time.Duration.ofSeconds(10), "UP with the password: " + body, CheckResult::ok);
      }
    }
  }

  @Test
  void theParsedSettingsNeverPrintThePassword() {
    for (String body : List.of(inUri(refusing), inField(refusing), inQuery(refusing))) {
      String config = new ConfigLoader(Map.of()).parse("checks:\n  r: { " + body + " }\n", "t.yaml").toString();
      assertTrue(config.contains("RedisSettings["), config);
      assertFalse(config.contains(PASSWORD), config);
    }
  }
}

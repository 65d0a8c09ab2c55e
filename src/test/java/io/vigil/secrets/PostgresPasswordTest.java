package io.vigil.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vigil.config.ConfigException;
import io.vigil.config.ConfigLoader;
import io.vigil.model.CheckResult;
import io.vigil.model.Reason;
import io.vigil.testsupport.CheckHarness;
import io.vigil.testsupport.PrivatePostgres;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A PostgreSQL password against a private cluster that requires SCRAM for every connection (the
 * shared local server trusts 127.0.0.1, so there a wrong password proved nothing): the right one,
 * wherever the config puts it, is UP; a wrong or missing one is {@code auth}; and neither appears in
 * a message, the data, the parsed records, or a config problem that quotes the URI. PostgreSQL
 * itself never echoes a password (SCRAM does not even send it), so what could print it is Vigil's
 * own: records and problems quoting the URI, which this test reads.
 */
class PostgresPasswordTest {
  private static final String PASSWORD = "Scram-Pg-Pw-2718";
  private static final String WRONG = "Wrong-Pg-Pw-1618";
  private static Vertx vertx;
  private static PrivatePostgres pg;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    pg = PrivatePostgres.start(PASSWORD);
  }

  @AfterAll
  static void stop() {
    pg.close();
    vertx.close();
  }

  private static String uri(String userInfo, String query) {
    return "postgresql://" + userInfo + "@127.0.0.1:" + pg.port() + "/postgres" + query;
  }

  private static List<String> placements(String password) {
    return List.of(
        "type: postgres, uri: \"" + uri("postgres:" + password, "") + "\"",
        "type: postgres, uri: \"" + uri("postgres", "") + "\", password: \"" + password + "\"",
        "type: postgres, uri: \"" + uri("postgres", "?password=" + password) + "\"");
  }

  /** Probes until {@code wanted}: the first SCRAM exchange of a cold JVM on a busy machine can outlast 1 s. */
  private static CheckResult probeUntil(String body, java.util.function.Predicate<CheckResult> wanted) {
    try (CheckHarness c = CheckHarness.of(vertx, body)) {
      return c.probeUntil(java.time.Duration.ofSeconds(15), body, wanted);
    }
  }

  @Test
  void theRightPasswordWhereverTheConfigPutsItIsUp() {
    for (String body : placements(PASSWORD)) {
      CheckResult r = probeUntil(body, CheckResult::ok);
      assertFalse(r.toString().contains(PASSWORD), r.toString());
    }
  }

  @Test
  void aWrongOrMissingPasswordIsAuthAndNeverShown() {
    List<String> bodies = new java.util.ArrayList<>(placements(WRONG));
    bodies.add("type: postgres, uri: \"" + uri("postgres", "") + "\"");
    for (String body : bodies) {
      CheckResult r = probeUntil(body, x -> x.reason() != Reason.TIMEOUT);
      assertEquals(Reason.AUTH, r.reason(), body + " -> " + r);
      assertFalse(r.toString().contains(WRONG), r.toString());
    }
  }

  @Test
  void recordsAndProblemsQuotingTheUriMaskThePassword() {
    for (String body : placements(PASSWORD)) {
      String config = new ConfigLoader(Map.of()).parse("checks:\n  db: { " + body + " }\n", "t.yaml").toString();
      assertTrue(config.contains("PostgresSettings[uri=postgresql://postgres"), config);
      assertFalse(config.contains(PASSWORD), config);
    }
    // A URI the client cannot read (an unencoded space in the password) is quoted in the problem.
    for (String bad : List.of(uri("postgres:" + PASSWORD + " x", ""), uri("post gres", "?password=" + PASSWORD))) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> new ConfigLoader(Map.of()).parse("checks:\n  db: { type: postgres, uri: \"" + bad + "\" }\n", "t.yaml"));
      assertEquals(1, e.problems().size(), e.problems().toString());
      assertTrue(e.problems().get(0).startsWith("checks.db.uri: \"postgresql://"), e.problems().toString());
      assertFalse(e.getMessage().contains(PASSWORD), e.getMessage());
    }
  }
}

package io.vigil.secrets;

import static io.vigil.testsupport.MonitorFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.CheckStatus;
import io.vigil.model.Reason;
import io.vigil.testsupport.AuthQuotingRedis;
import io.vigil.testsupport.EchoHttpTarget;
import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.PrivatePostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A whole monitor whose targets echo the credentials they receive: an HTTP target that puts the
 * request line (query included) and every header in its error body, a Redis that quotes the AUTH
 * password in its error, a private PostgreSQL cluster with SCRAM that refuses a wrong password.
 * The echoes really reach the outputs (the test asserts so, masked), and no secret appears in any
 * of them: /health in every format and tier, /health/checks, ?verbose on every probe, /metrics as
 * text, OpenMetrics and JSON, the status page, SSE, every event on the bus, every JUL record.
 */
class NoSecretsInOutputTest {
  private static final String TOKEN = "Bearer-Token-4f1c9a77e2";
  private static final String QUERY_TOKEN = "QueryToken-5521";
  private static final String QUERY_KEY = "QueryApiKey-6632";
  private static final String URL_PASSWORD = "UrlPass-7743";
  private static final String HEADER_KEY = "HeaderApiKey-8854";
  private static final String COOKIE = "session=Cookie-9965";
  private static final String PROXY = "Basic UHJveHlVc2VyOlByb3h5LTEwNzY=";
  private static final String DECLARED = "Declared-1187";
  private static final String REDIS_URI_PASSWORD = "RedisUri-2298";
  private static final String REDIS_FIELD_PASSWORD = "RedisField-3309";
  private static final String PG_PASSWORD = "PgScram-4410";
  private static final String PG_WRONG = "PgWrong-5521x";
  private static final List<String> SECRETS = List.of(TOKEN, QUERY_TOKEN, QUERY_KEY, URL_PASSWORD, HEADER_KEY,
      "Cookie-9965", "UHJveHlVc2VyOlByb3h5LTEwNzY=", "Proxy-1076", DECLARED, REDIS_URI_PASSWORD,
      REDIS_FIELD_PASSWORD, PG_PASSWORD, PG_WRONG);

  private static EchoHttpTarget echo;
  private static EchoHttpTarget dependentEcho;
  private static AuthQuotingRedis redis;
  private static PrivatePostgres pg;

  @BeforeAll
  static void targets() {
    echo = EchoHttpTarget.start();
    dependentEcho = EchoHttpTarget.start();
    redis = AuthQuotingRedis.start();
    pg = PrivatePostgres.start(PG_PASSWORD);
  }

  @AfterAll
  static void stopTargets() {
    echo.close();
    dependentEcho.close();
    redis.close();
    pg.close();
  }

  @Test
  void echoedCredentialsReachTheOutputsOnlyMasked() {
    String pgBase = "postgresql://postgres%s@127.0.0.1:" + pg.port() + "/postgres";
    String yaml = """
        server: { host: 127.0.0.1, port: 0, details: authorized, token: "${TOKEN}", shutdown: { drain-delay: 0s, timeout: 5s } }
        checks:
          defaults: { interval: 1s, timeout: 900ms, failure-threshold: 1 }
          api:
            type: http
            url: "http://admin:%s@127.0.0.1:%d/h?token=%s&api_key=%s"
            headers: { X-Foo: "%s", X-Api-Key: "%s", Cookie: "%s", Proxy-Authorization: "%s" }
            secret-headers: [X-Foo]
          redis-uri: { type: redis, uri: "%s" }
          redis-field: { type: redis, uri: "redis://127.0.0.1:%d", password: "${REDIS_PW}" }
          pg: { type: postgres, uri: "%s", password: "${PG_PW}", timeout: 2s, interval: 3s }
          pg-query: { type: postgres, uri: "%s", timeout: 2s, interval: 3s }
          pg-wrong: { type: postgres, uri: "%s", timeout: 2s, interval: 3s }
          dependent: { type: http, url: "%s", depends-on: [redis-uri] }
        """.formatted(URL_PASSWORD, echo.port(), QUERY_TOKEN, QUERY_KEY, DECLARED, HEADER_KEY, COOKIE, PROXY,
        redis.uri(REDIS_URI_PASSWORD), redis.port(), pgBase.formatted(""), pgBase.formatted("") + "?password=" + PG_PASSWORD,
        pgBase.formatted(":" + PG_WRONG), dependentEcho.url("/dep?access_token=" + QUERY_TOKEN));
    Map<String, String> env = Map.of("TOKEN", TOKEN, "REDIS_PW", REDIS_FIELD_PASSWORD, "PG_PW", PG_PASSWORD);
    Map<String, String> right = Map.of("Authorization", "Bearer " + TOKEN);
    try (Outputs out = new Outputs(); MonitorFixture m = MonitorFixture.start(yaml, env)) {
      var bus = m.running().vertx().eventBus();
      out.followBus(bus);
      eventually(Duration.ofSeconds(20), "every check reported", () -> m.running().monitor().startup());
      eventually(Duration.ofSeconds(10), "the echoes and refusals seen", () -> state("api", m).reason() == Reason.HTTP_STATUS
          && state("redis-uri", m).reason() == Reason.AUTH && state("redis-field", m).reason() == Reason.AUTH
          && state("pg", m).up() && state("pg-query", m).up() && state("pg-wrong", m).reason() == Reason.AUTH);

      // The secrets were really in play: the targets received them.
      String echoed = echo.lastEcho();
      for (String s : List.of(QUERY_TOKEN, HEADER_KEY, COOKIE, PROXY, DECLARED)) {
        assertTrue(echoed.contains(s), "the target received " + s + ": " + echoed);
      }
      assertTrue(redis.passwordsReceived().containsAll(List.of(REDIS_URI_PASSWORD, REDIS_FIELD_PASSWORD)),
          "Redis was sent both passwords: " + redis.passwordsReceived());

      List<Map<String, String>> tiers = List.of(Map.of(), Map.of("Authorization", "Bearer wrong-token-0000000000"), right,
          Map.of("Authorization", "bearer " + TOKEN));
      List<String> paths = new ArrayList<>(List.of("/health", "/health?verbose", "/health/live?verbose", "/livez?verbose",
          "/health/ready?verbose", "/readyz?verbose", "/health/startup?verbose", "/health/started?verbose", "/metrics",
          "/metrics?format=json", "/"));
      for (String check : List.of("api", "redis-uri", "redis-field", "pg", "pg-query", "pg-wrong", "dependent")) {
        paths.add("/health/checks/" + check);
        paths.add("/health/checks/" + check + "?verbose");
      }
      for (Map<String, String> tier : tiers) {
        for (String path : paths) {
          out.get(m.port(), path, tier);
        }
        out.get(m.port(), "/health", with(tier, "Accept", "application/health+json"));
        out.get(m.port(), "/metrics", with(tier, "Accept", "application/openmetrics-text; version=1.0.0"));
      }
      for (Map<String, String> tier : List.of(Map.<String, String>of(), right)) {
        out.events(m.port(), tier, Duration.ofMillis(1200));
      }
      out.askStatus(bus);
      out.add("records' toString", m.running().monitor().checkHealth() + " " + new io.vigil.config.ConfigLoader(env)
          .parse(yaml, "t.yaml"));

      List<String> leaks = out.leaks(SECRETS);
      assertTrue(leaks.isEmpty(), leaks.size() + " leaks in " + out.all().size() + " outputs searched, from "
          + leaks.stream().map(l -> l.substring(0, l.indexOf(" holds "))).map(w -> w.replaceAll(" \\[.*", "")).distinct().toList()
          + "; the first ones:\n" + String.join("\n", leaks.subList(0, Math.min(12, leaks.size()))));

      // The echoes reached the outputs, masked: with the scrubber off they would carry the secrets.
      String detailed = out.get(m.port(), "/health", right);
      assertTrue(detailed.contains("token=****") && detailed.contains("X-Api-Key: ****") && detailed.contains("X-Foo: ****"),
          "the target's echo is in the api message, masked: " + detailed);
      assertTrue(detailed.contains("got '****'"), "Redis' quoted password is in the message, masked: " + detailed);
      String anonymous = out.get(m.port(), "/health", Map.of());
      assertFalse(anonymous.contains("\"data\""), "details: authorized hides data without the token: " + anonymous);

      assertTrue(out.all().stream().anyMatch(o -> o.where().startsWith("log ")), "logs were captured");
      assertTrue(out.all().stream().anyMatch(o -> o.where().startsWith("bus vigil.check.result")), "results were captured");
      assertTrue(out.all().stream().anyMatch(o -> o.where().startsWith("SSE") && o.text().contains("event: result")),
          "SSE results were captured");
    }
  }

  private static CheckStatus state(String name, MonitorFixture m) {
    return m.running().monitor().checkHealth().checks().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  private static Map<String, String> with(Map<String, String> base, String key, String value) {
    Map<String, String> out = new LinkedHashMap<>(base);
    out.put(key, value);
    return out;
  }
}

package io.vigil.http;

import static io.vigil.testsupport.MonitorFixture.FAST;
import static io.vigil.testsupport.MonitorFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.Reason;
import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.SwitchableCheck;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code server.details: authorized}: a caller without the token sees names and states only, on
 * every path: the probes with {@code ?verbose}, {@code /health} in each format, one check, and
 * {@code /events} (snapshot, results, transitions). The token holder sees everything.
 */
class DetailsTiersTest {
  private static final String TOKEN = "tiers-token-0123456789";
  private static final String MESSAGE = "refused by 10.0.0.7:6379";
  /** What only the token holder may read: reasons, the message, causes, latency, data. */
  private static final List<String> DETAILS = List.of("connection_refused", "dependency", MESSAGE, "latencyMs",
      "\"cause\"", "cause:", "observedValue", "\"data\"", "\"reason\"", "\"message\"", "\"ok\"", "componentType");
  private static final List<String> PATHS = List.of("/health", "/health?verbose", "/health/ready?verbose",
      "/health/startup?verbose", "/health/live?verbose", "/health/checks/store", "/health/checks/api");

  private MonitorFixture m;
  private final SwitchableCheck store = new SwitchableCheck();
  private final SwitchableCheck api = new SwitchableCheck();

  @BeforeEach
  void start() {
    m = MonitorFixture.start("server: { host: 127.0.0.1, port: 0, details: authorized, token: \"${T}\","
        + " shutdown: { drain-delay: 0s, timeout: 5s } }\nchecks: {}", Map.of("T", TOKEN));
    m.register("store", store, FAST);
    m.register("api", api, FAST.withDependsOn(List.of("store")));
    store.fail(Reason.CONNECTION_REFUSED, MESSAGE);
    api.fail(Reason.HTTP_STATUS, "HTTP 500");
    eventually(Duration.ofSeconds(10), "api failing because of store",
        () -> m.get("/health/checks/api", "Authorization", "Bearer " + TOKEN).body().contains("\"cause\":\"store\""));
  }

  @AfterEach
  void stop() {
    m.close();
  }

  @Test
  void anAnonymousCallerSeesNamesAndStatesOnlyOnEveryPath() {
    for (String path : PATHS) {
      String body = m.get(path).body();
      assertTrue(body.contains("store") || path.contains("live") || path.endsWith("/api"), path + ": names are public: " + body);
      for (String detail : DETAILS) {
        assertFalse(body.contains(detail), path + " shows " + detail + " to an anonymous caller: " + body);
      }
    }
    String ietf = m.get("/health", "Accept", HealthFormats.HEALTH_JSON).body();
    DETAILS.forEach(d -> assertFalse(ietf.contains(d), "application/health+json shows " + d + ": " + ietf));
    assertTrue(m.get("/health?verbose").body().contains("[-]store failed: reason withheld"));
  }

  @Test
  void anAnonymousEventStreamCarriesNamesAndStatesOnly() throws Exception {
    try (SseClient sse = SseClient.open(m.port(), "/events")) {
      store.up();
      sse.await(Duration.ofSeconds(5), "store UP", e -> e.stream().anyMatch(x -> x.name().equals("status")));
      store.fail(Reason.CONNECTION_REFUSED, MESSAGE);
      List<SseClient.Event> events = sse.await(Duration.ofSeconds(5), "a snapshot, results and a transition",
          e -> e.stream().anyMatch(x -> x.name().equals("status") && x.data().contains("\"to\":\"DOWN\"")));
      for (SseClient.Event e : events) {
        DETAILS.forEach(d -> assertFalse(e.data().contains(d), e.name() + " event shows " + d + ": " + e.data()));
      }
      SseClient.Event result = events.stream().filter(x -> x.name().equals("result")).findFirst().orElseThrow();
      assertTrue(result.json().containsKey("state"), "the state is public: " + result);
    }
  }

  @Test
  void theTokenHolderSeesEverythingWhateverTheCaseOfTheScheme() throws Exception {
    for (String scheme : List.of("Bearer", "bearer", "BEARER")) {
      String health = m.get("/health", "Authorization", scheme + " " + TOKEN).body();
      assertTrue(health.contains("\"reason\":\"connection_refused\"") && health.contains(MESSAGE), scheme + ": " + health);
      assertTrue(m.get("/health/ready?verbose", "Authorization", scheme + " " + TOKEN).body()
          .contains("[-]store failed: connection_refused: " + MESSAGE));
    }
    try (SseClient sse = SseClient.open(m.port(), "/events", "Authorization", "bearer " + TOKEN)) {
      sse.await(Duration.ofSeconds(5), "a result with its reason", e -> e.stream()
          .anyMatch(x -> x.name().equals("result") && x.data().contains("\"reason\":\"connection_refused\"")));
    }
  }

  @Test
  void aWrongTokenOrAnotherSchemeIsAnonymous() {
    for (String header : List.of("Bearer " + TOKEN.substring(1), "Bearer " + TOKEN + "x", "Bearer x" + TOKEN.substring(1),
        "Basic " + TOKEN, "Bearer", "Bearer ", TOKEN, "Bearer" + TOKEN)) {
      String body = m.get("/health", "Authorization", header).body();
      assertFalse(body.contains("\"data\""), "\"" + header + "\" sees details: " + body);
    }
    assertEquals(503, m.status("/health"), "status codes are public");
  }
}

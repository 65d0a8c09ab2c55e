package io.vigil.check;

import io.vigil.config.HttpSettings;
import io.vigil.model.Observation;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.config.Durations;
import io.vigil.model.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Judges what an HTTP probe saw against its settings: pure, no I/O. */
final class HttpEvaluation {
  /**
   * What one request produced. {@code certNotAfter} is the server certificate's expiry, null over
   * plain HTTP; {@code seenAt} the wall-clock time of the answer (certificate days are calendar days).
   */
  record Facts(int status, String body, Duration latency, Instant certNotAfter, Instant seenAt) {
    /** Whole days left on the certificate, null when there is none. */
    Long certDays() {
      return certNotAfter == null ? null : Duration.between(seenAt, certNotAfter).toDays();
    }
  }

  private static final int MAX_EXCERPT = 200;

  private HttpEvaluation() {}

  static Observation evaluate(HttpSettings s, Facts f) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("statusCode", f.status());
    if (f.certNotAfter() != null) {
      data.put("certNotAfter", f.certNotAfter().getEpochSecond()); // for vigil_check_cert_expiry_timestamp_seconds
      data.put("certDaysLeft", f.certDays());
    }
    boolean statusOk = s.expectStatus().isEmpty() ? f.status() >= 200 && f.status() < 400 : s.expectStatus().contains(f.status());
    if (!statusOk) {
      return Observation.down(Reason.HTTP_STATUS, "HTTP " + f.status() + " (expected "
          + (s.expectStatus().isEmpty() ? "2xx or 3xx" : s.expectStatus().toString()) + ")" + excerpt(f.body()), data);
    }
    if (!s.expectJson().isEmpty()) {
      Object json;
      try {
        json = Json.decodeValue(f.body());
      } catch (DecodeException e) {
        return Observation.down(Reason.ASSERTION, "body is not JSON", data);
      }
      for (Map.Entry<String, String> e : s.expectJson().entrySet()) {
        Object actual = at(json, e.getKey());
        if (actual == null || !e.getValue().equals(String.valueOf(actual))) {
          return Observation.down(Reason.ASSERTION, "JSON " + e.getKey() + " is " + (actual == null ? "missing" : "\"" + actual + "\"")
              + ", expected \"" + e.getValue() + "\"", data);
        }
      }
    }
    if (s.expectBodyContains() != null && !f.body().contains(s.expectBodyContains())) {
      return Observation.down(Reason.ASSERTION, "body does not contain \"" + s.expectBodyContains() + "\"", data);
    }
    if (s.maxLatency() != null && f.latency().compareTo(s.maxLatency()) > 0) {
      return Observation.down(Reason.ASSERTION, "answered in " + f.latency().toMillis() + "ms, over the "
          + Durations.format(s.maxLatency()) + " limit", data);
    }
    if (s.minCertDays() != null && (f.certDays() == null || f.certDays() < s.minCertDays())) {
      return Observation.down(Reason.TLS, f.certDays() == null ? "no server certificate to check"
          : "certificate expires in " + f.certDays() + " days, under " + s.minCertDays(), data);
    }
    return Observation.up(data);
  }

  /**
   * The start of an error body on one line, for the message: what the target itself says went
   * wrong. It may echo the request (headers, query): CheckRunner scrubs it like every message.
   */
  static String excerpt(String body) {
    String line = body == null ? "" : body.replaceAll("[\\p{Cntrl}\\p{Cs}\\x{FFFD}\\s]+", " ").strip();
    if (line.isEmpty()) {
      return "";
    }
    return ": " + (line.length() > MAX_EXCERPT ? line.substring(0, MAX_EXCERPT) + "…" : line);
  }

  /** The value at a dotted path ({@code checks.db.status}, {@code items.0.name}), or null. */
  static Object at(Object json, String path) {
    Object node = json;
    for (String key : path.split("\\.")) {
      if (node instanceof JsonObject o) {
        node = o.getValue(key);
      } else if (node instanceof JsonArray a && key.matches("\\d+") && Integer.parseInt(key) < a.size()) {
        node = a.getValue(Integer.parseInt(key));
      } else {
        return null;
      }
    }
    return node;
  }
}

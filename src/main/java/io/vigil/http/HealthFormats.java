package io.vigil.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.bus.EventJson;
import io.vigil.status.CheckStatus;
import io.vigil.status.OverallState;
import io.vigil.status.Snapshot;
import java.util.List;

/** The renderings of a snapshot: MicroProfile JSON, IETF {@code application/health+json}, verbose text. */
final class HealthFormats {
  static final String HEALTH_JSON = "application/health+json";

  private HealthFormats() {}

  static String microProfile(Snapshot s, boolean details) {
    return EventJson.snapshot(s, details).encode();
  }

  /** The IETF draft format: {@code pass}/{@code warn}/{@code fail}, checks keyed {@code name:responseTime}. */
  static String healthJson(Snapshot s, boolean details) {
    JsonObject checks = new JsonObject();
    for (CheckStatus c : s.checks()) {
      JsonObject entry = new JsonObject()
          .put("componentId", c.name())
          .put("componentType", c.type())
          .put("status", c.up() ? (c.consecutiveFailures() > 0 ? "warn" : "pass") : "fail");
      if (details) {
        entry.put("observedValue", c.latencyMs()).put("observedUnit", "ms")
            .put("time", c.lastResultAt() == null ? null : c.lastResultAt().toString());
        if (c.message() != null) {
          entry.put("output", c.message());
        }
        if (c.cause() != null) {
          entry.put("affectedEndpoints", new JsonArray().add(c.cause()));
        }
      }
      checks.put(c.name() + ":responseTime", new JsonArray().add(entry));
    }
    return new JsonObject()
        .put("status", ietf(s.overall()))
        .put("description", "Vigil health monitor")
        .put("checks", checks)
        .encode();
  }

  /** Kubernetes API-server style: one {@code [+]name ok} / {@code [-]name failed: reason} line each. */
  static String verbose(List<CheckStatus> checks, boolean passed, String what, boolean details) {
    StringBuilder b = new StringBuilder();
    for (CheckStatus c : checks) {
      if (c.up()) {
        b.append("[+]").append(c.name()).append(" ok\n");
      } else {
        b.append("[-]").append(c.name()).append(" failed: ");
        if (c.reason() == null) {
          b.append(c.state().name().toLowerCase());
        } else {
          b.append(c.reason().label());
          if (c.cause() != null) {
            b.append(" (cause: ").append(c.cause()).append(')');
          }
          if (details && c.message() != null) {
            b.append(": ").append(c.message().replace('\n', ' '));
          }
        }
        b.append('\n');
      }
    }
    b.append(what).append(passed ? " check passed\n" : " check failed\n");
    return b.toString();
  }

  private static String ietf(OverallState s) {
    return switch (s) {
      case UP -> "pass";
      case DEGRADED -> "warn";
      default -> "fail";
    };
  }
}

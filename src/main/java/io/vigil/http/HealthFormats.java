package io.vigil.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.bus.EventJson;
import io.vigil.model.CheckStatus;
import io.vigil.model.OverallState;
import io.vigil.model.Snapshot;
import java.util.List;
import java.util.Locale;

/**
 * The renderings of a snapshot, each for one {@link Tier}: MicroProfile JSON, IETF
 * {@code application/health+json}, Kubernetes-style verbose text, one check. Pure functions of the
 * snapshot; {@link Renderings} calls them once per snapshot, kind and tier.
 */
final class HealthFormats {
  static final String HEALTH_JSON = "application/health+json";

  private HealthFormats() {}

  static String microProfile(Snapshot s, Tier tier) {
    return EventJson.snapshot(s, tier == Tier.FULL).encode();
  }

  /**
   * The IETF draft format: {@code pass}/{@code warn}/{@code fail}, checks keyed {@code name:responseTime}.
   * For {@link Tier#NAMES_AND_STATES} only the component's name and status.
   */
  static String healthJson(Snapshot s, Tier tier) {
    JsonObject checks = new JsonObject();
    for (CheckStatus c : s.checks()) {
      JsonObject entry = new JsonObject()
          .put("componentId", c.name())
          .put("status", c.up() ? (c.consecutiveFailures() > 0 ? "warn" : "pass") : "fail");
      if (tier == Tier.FULL) {
        entry.put("componentType", c.type())
            .put("observedValue", c.latencyMs()).put("observedUnit", "ms")
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

  /**
   * Kubernetes API-server style: one {@code [+]name ok} / {@code [-]name failed: reason} line each,
   * then {@code <what> check passed|failed}. Like Kubernetes, a caller who may not see details reads
   * {@code failed: reason withheld}.
   */
  static String verbose(List<CheckStatus> checks, boolean passed, String what, Tier tier) {
    StringBuilder b = new StringBuilder();
    for (CheckStatus c : checks) {
      if (c.up()) {
        b.append("[+]").append(c.name()).append(" ok\n");
        continue;
      }
      b.append("[-]").append(c.name()).append(" failed: ");
      if (tier != Tier.FULL) {
        b.append("reason withheld");
      } else if (c.reason() == null) {
        b.append(c.state().name().toLowerCase(Locale.ROOT));
      } else {
        b.append(c.reason().label());
        if (c.cause() != null) {
          b.append(" (cause: ").append(c.cause()).append(')');
        }
        if (c.message() != null) {
          b.append(": ").append(c.message().replace('\n', ' '));
        }
      }
      b.append('\n');
    }
    b.append(what).append(passed ? " check passed\n" : " check failed\n");
    return b.toString();
  }

  /** {@code /health/checks/{name}}: {@code {name, status}}, plus {@code data} for {@link Tier#FULL}. */
  static String check(CheckStatus c, Tier tier) {
    JsonObject body = new JsonObject().put("name", c.name()).put("status", c.up() ? "UP" : "DOWN");
    if (tier == Tier.FULL) {
      body.put("data", EventJson.data(c));
    }
    return body.encode();
  }

  private static String ietf(OverallState s) {
    return switch (s) {
      case UP -> "pass";
      case DEGRADED -> "warn";
      default -> "fail";
    };
  }
}

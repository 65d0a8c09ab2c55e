package io.vigil.model;

import java.util.Map;
import java.util.Objects;

/**
 * The verdict of one probe: good or not, and if not, why. {@code data} holds a few facts worth
 * showing (status code, role, pool use); never credentials.
 */
public record Observation(boolean ok, Reason reason, String message, Map<String, Object> data) {

  public Observation {
    if (!ok) {
      Objects.requireNonNull(reason, "a failed observation needs a reason");
    }
    data = data == null ? Map.of() : Map.copyOf(data);
  }

  public static Observation up() {
    return new Observation(true, null, null, Map.of());
  }

  public static Observation up(Map<String, Object> data) {
    return new Observation(true, null, null, data);
  }

  public static Observation down(Reason reason, String message) {
    return new Observation(false, reason, message, Map.of());
  }

  public static Observation down(Reason reason, String message, Map<String, Object> data) {
    return new Observation(false, reason, message, data);
  }
}

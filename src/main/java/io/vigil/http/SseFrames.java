package io.vigil.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Server-Sent Events frames of the bus's payloads, one per {@link Tier}. For
 * {@link Tier#NAMES_AND_STATES} a result keeps only {@code check, state, at, seq} and a transition
 * {@code check, from, to, at, seq}: no reason, message, cause or latency.
 */
final class SseFrames {
  private static final List<String> PUBLIC_RESULT = List.of("check", "state", "at", "seq");
  private static final List<String> PUBLIC_TRANSITION = List.of("check", "from", "to", "at", "seq");

  /** What a frame carries: the {@code event:} name and the fields anyone may see. */
  enum Kind {
    RESULT("result", PUBLIC_RESULT), STATUS("status", PUBLIC_TRANSITION), LIFECYCLE("lifecycle", null);

    final String event;
    final List<String> publicFields;

    Kind(String event, List<String> publicFields) {
      this.event = event;
      this.publicFields = publicFields;
    }
  }

  private SseFrames() {}

  /** One frame per tier in {@code tiers}; {@code id:} is the seq, and lifecycle frames have none. */
  static Map<Tier, Buffer> encode(Kind kind, JsonObject payload, Set<Tier> tiers) {
    Map<Tier, Buffer> out = new EnumMap<>(Tier.class);
    for (Tier t : tiers) {
      JsonObject shown = t == Tier.FULL || kind.publicFields == null ? payload : only(payload, kind.publicFields);
      out.put(t, frame(kind.event, kind == Kind.LIFECYCLE ? null : payload.getLong("seq"), shown.encode()));
    }
    return out;
  }

  /** {@code event: NAME\nid: SEQ\ndata: JSON\n\n}; JSON is encoded on one line, so one data line. */
  static Buffer frame(String event, Long id, String json) {
    StringBuilder b = new StringBuilder(json.length() + 48).append("event: ").append(event).append('\n');
    if (id != null) {
      b.append("id: ").append(id).append('\n');
    }
    return Buffer.buffer(b.append("data: ").append(json).append("\n\n").toString());
  }

  /** The head of a snapshot frame; its data (the /health body) and {@code "\n\n"} follow. */
  static Buffer snapshotHead(long seq) {
    return Buffer.buffer("event: snapshot\nid: " + seq + "\ndata: ");
  }

  private static JsonObject only(JsonObject j, List<String> fields) {
    JsonObject o = new JsonObject();
    for (String f : fields) {
      if (j.containsKey(f)) {
        o.put(f, j.getValue(f));
      }
    }
    return o;
  }
}

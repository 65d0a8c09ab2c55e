package io.vigil.notify;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.config.Secrets;
import io.vigil.paging.Page;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A {@code webhook} notifier's JSON body: {@code status} firing or resolved, the root {@code check},
 * its {@code state}, {@code reason}, {@code cause} and {@code message}, the checks it took down
 * ({@code affected}), on a resolve those that {@code recovered}, {@code seq} and timestamps. With a
 * secret, {@value #SIGNATURE} is {@code sha256=} and the hex HMAC-SHA256 of
 * {@code <timestamp>.<body>}, the timestamp (epoch seconds) in {@value #TIMESTAMP}: a receiver
 * checks both, and refuses an old timestamp to stop a replay.
 */
final class WebhookFormat implements Format {
  static final String SIGNATURE = "X-Vigil-Signature";
  static final String TIMESTAMP = "X-Vigil-Timestamp";
  private final String notifier;
  private final byte[] secret;
  private final Secrets secrets;

  WebhookFormat(String notifier, String secret, Secrets secrets) {
    this.notifier = notifier;
    this.secret = secret == null ? null : secret.getBytes(StandardCharsets.UTF_8);
    this.secrets = secrets;
  }

  @Override
  public Message render(Page page, Instant now) {
    JsonObject body = new JsonObject()
        .put("notifier", notifier)
        .put("status", page.kind() == Page.Kind.FIRING ? "firing" : "resolved")
        .put("repeat", page.repeat())
        .put("check", page.name())
        .put("type", page.check().type())
        .put("state", page.check().state().name())
        .put("severity", page.severity().label())
        .put("reason", page.check().reason() == null ? null : page.check().reason().label())
        .put("message", page.check().message() == null ? null : secrets.scrub(page.check().message()))
        .put("cause", page.check().cause() == null ? page.name() : page.check().cause())
        .put("affected", new JsonArray(page.affected()))
        .put("recovered", new JsonArray(page.recovered()))
        .put("seq", page.seq())
        .put("startsAt", page.startsAt().toString())
        .put("endsAt", page.kind() == Page.Kind.RESOLVED ? page.at().toString() : null)
        .put("at", page.at().toString());
    Buffer bytes = body.toBuffer();
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("content-type", "application/json");
    if (secret != null) {
      String timestamp = Long.toString(now.getEpochSecond());
      headers.put(TIMESTAMP, timestamp);
      headers.put(SIGNATURE, "sha256=" + sign(secret, timestamp, bytes));
    }
    return new Message(bytes, headers);
  }

  /** The hex HMAC-SHA256 of {@code timestamp + "." + body} under {@code key}. */
  static String sign(byte[] key, String timestamp, Buffer body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(mac.doFinal(body.getBytes()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java 17 runtime", e);
    }
  }
}

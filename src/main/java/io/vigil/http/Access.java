package io.vigil.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vigil.config.Details;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumSet;
import java.util.Set;

/**
 * Decides each caller's {@link Tier} from {@code server.details} and its {@code Authorization}
 * header. The scheme {@code Bearer} is matched case-insensitively (RFC 7235); the token is compared
 * as SHA-256 digests with {@link MessageDigest#isEqual}, so the time taken depends neither on how
 * much of the token a guess gets right nor on the token's length.
 */
final class Access {
  private static final String SCHEME = "bearer";
  private final Details mode;
  private final byte[] tokenDigest;

  Access(Details mode, String token) {
    this.mode = mode;
    this.tokenDigest = token == null || token.isEmpty() ? null : sha256(token);
  }

  Tier tier(HttpServerRequest req) {
    return switch (mode) {
      case ALWAYS -> Tier.FULL;
      case NEVER -> Tier.NAMES_AND_STATES;
      case AUTHORIZED -> bearerMatches(req.getHeader(HttpHeaders.AUTHORIZATION)) ? Tier.FULL : Tier.NAMES_AND_STATES;
    };
  }

  /** The tiers callers can get in this mode: events are encoded once for each of these. */
  Set<Tier> tiers() {
    return switch (mode) {
      case ALWAYS -> EnumSet.of(Tier.FULL);
      case NEVER -> EnumSet.of(Tier.NAMES_AND_STATES);
      case AUTHORIZED -> EnumSet.allOf(Tier.class);
    };
  }

  /** Whether the Authorization header changes a response (then it belongs in {@code Vary}). */
  boolean dependsOnAuthorization() {
    return mode == Details.AUTHORIZED;
  }

  /** Whether a token is configured at all (without one, nothing is authorized). */
  boolean tokenSet() {
    return tokenDigest != null;
  }

  boolean bearerMatches(String header) {
    if (tokenDigest == null || header == null || header.length() <= SCHEME.length()
        || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())
        || header.charAt(SCHEME.length()) != ' ') {
      return false;
    }
    String given = header.substring(SCHEME.length()).trim();
    return !given.isEmpty() && MessageDigest.isEqual(sha256(given), tokenDigest);
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}

package io.vigil.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An {@code http} check: the URL to request and what the answer must satisfy. {@code expectStatus}
 * empty means any 2xx or 3xx; {@code expectJson} maps dotted paths to expected values;
 * {@code secretHeaders} names the headers, beyond the usual credential headers, whose values are
 * secrets.
 */
public record HttpSettings(
    URI url,
    String method,
    Map<String, String> headers,
    List<Integer> expectStatus,
    Map<String, String> expectJson,
    String expectBodyContains,
    Duration maxLatency,
    Integer minCertDays,
    boolean verifyTls,
    List<String> secretHeaders) implements CheckSettings {

  static final List<String> METHODS = List.of("GET", "HEAD", "POST");
  /** An HTTP header name (RFC 9110 token). */
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  /** Ten years: no certificate authority issues one for longer. */
  private static final int MAX_CERT_DAYS = 3650;

  public HttpSettings {
    headers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(headers));
    secretHeaders = secretHeaders == null ? List.of() : List.copyOf(secretHeaders);
  }

  static HttpSettings parse(ConfigNode node) {
    URI url = url(node);
    String method = node.oneOf("method", "GET", METHODS);
    Map<String, String> headers = headers(node);
    List<String> secretHeaders = secretHeaders(node, headers);
    ConfigNode expect = node.child("expect");
    List<Integer> status = expect.intList("status", 100, 599, "an HTTP status 100-599");
    Map<String, String> json = expect.stringMap("json");
    String contains = expect.string("body-contains", null);
    Duration maxLatency = expect.duration("max-latency", null);
    Integer certDays = expect.optionalInteger("cert-days", 0, MAX_CERT_DAYS);
    expect.finish();
    boolean verifyTls = node.bool("verify-tls", true);
    return new HttpSettings(url, method, headers, status == null ? List.of() : status, json, contains,
        maxLatency, certDays, verifyTls, secretHeaders);
  }

  private static URI url(ConfigNode node) {
    String text = node.requiredString("url");
    if (text == null) {
      return null;
    }
    URI url;
    try {
      url = URI.create(text);
    } catch (IllegalArgumentException e) {
      node.problem("url", "\"" + Secrets.redactUri(text) + "\" is not a valid URL");
      return null;
    }
    if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
      node.problem("url", "\"" + Secrets.redactUri(text) + "\" is not an http:// or https:// URL with a host");
      return null;
    }
    if (url.getPort() == 0 || url.getPort() > 65535) {
      node.problem("url", "\"" + Secrets.redactUri(text) + "\": port must be 1-65535 (was " + url.getPort() + ")");
      return null;
    }
    return url;
  }

  /** Extra request headers: names must be tokens, values one line (a line break would split the request). */
  private static Map<String, String> headers(ConfigNode node) {
    Map<String, String> headers = node.stringMap("headers");
    String at = node.pathOf("headers");
    for (Map.Entry<String, String> h : headers.entrySet()) {
      if (!TOKEN.matcher(h.getKey()).matches()) {
        node.problems().add(at + "." + h.getKey(), "is not a valid header name (letters, digits and !#$%&'*+.^_`|~-)");
      } else if (h.getValue().chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
        node.problems().add(at + "." + h.getKey(), "must be one line with no control characters");
      }
    }
    return headers;
  }

  private static List<String> secretHeaders(ConfigNode node, Map<String, String> headers) {
    List<String> names = node.stringList("secret-headers");
    if (names == null) {
      return List.of();
    }
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      if (headers.keySet().stream().noneMatch(name::equalsIgnoreCase)) {
        node.problems().add(node.pathOf("secret-headers") + "[" + i + "]",
            "\"" + name + "\" is not one of the headers of this check");
      }
    }
    return names;
  }

  /** The URL's credentials, and the value of every header that carries one. */
  @Override
  public List<String> secrets() {
    List<String> s = new ArrayList<>();
    if (url != null) {
      s.addAll(Secrets.ofUri(url.toString()));
    }
    headers.forEach((name, value) -> {
      if (Secrets.isSecretHeader(name, secretHeaders)) {
        s.addAll(Secrets.ofHeaderValue(value));
      }
    });
    return s;
  }

  @Override
  public String toString() {
    return new Secrets(secrets()).describe(this);
  }
}

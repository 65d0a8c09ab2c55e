package io.vigil.check;

import io.vigil.config.CheckSettings;
import io.vigil.config.ConfigNode;
import io.vigil.config.Secrets;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An {@code http} check: the URL to request and what the answer must satisfy. {@code expectStatus}
 * empty means any 2xx or 3xx; {@code expectJson} maps dotted paths to expected values.
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
    boolean verifyTls) implements CheckSettings {

  static final List<String> METHODS = List.of("GET", "HEAD", "POST");

  static HttpSettings parse(ConfigNode node) {
    String text = node.requiredString("url");
    URI url = null;
    if (text != null) {
      try {
        url = URI.create(text);
        if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
          node.problem("url", "\"" + Secrets.redactUri(text) + "\" is not an http:// or https:// URL with a host");
          url = null;
        }
      } catch (IllegalArgumentException e) {
        node.problem("url", "\"" + Secrets.redactUri(text) + "\" is not a valid URL");
      }
    }
    String method = node.oneOf("method", "GET", METHODS);
    Map<String, String> headers = node.stringMap("headers");
    ConfigNode expect = node.child("expect");
    List<Integer> status = expect.intList("status");
    if (status != null) {
      for (int i = 0; i < status.size(); i++) {
        if (status.get(i) < 100 || status.get(i) > 599) {
          node.problems().add(expect.pathOf("status") + "[" + i + "]", "must be an HTTP status 100-599 (was " + status.get(i) + ")");
        }
      }
    }
    Map<String, String> json = expect.stringMap("json");
    String contains = expect.string("body-contains", null);
    Duration maxLatency = expect.duration("max-latency", null);
    Integer certDays = expect.optionalInteger("cert-days", 0);
    expect.finish();
    boolean verifyTls = node.bool("verify-tls", true);
    return new HttpSettings(url, method, headers, status == null ? List.of() : status, json, contains,
        maxLatency, certDays, verifyTls);
  }

  @Override
  public List<String> secrets() {
    List<String> s = new ArrayList<>();
    if (url != null) {
      s.add(Secrets.uriPassword(url.toString()));
    }
    headers.forEach((k, v) -> {
      if (k.equalsIgnoreCase("authorization")) {
        s.add(v);
      }
    });
    return s;
  }
}

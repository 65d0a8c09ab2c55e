package io.vigil.config;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * A {@code redis} check: the server's URI and what it must be. {@code role} null means any role;
 * {@code writable} makes each probe {@code SET} the monitor's own key with an expiry.
 */
public record RedisSettings(
    String uri, String password, String role, boolean writable, String key, Map<String, String> info)
    implements CheckSettings {

  static final List<String> ROLES = List.of("master", "replica");

  static RedisSettings parse(ConfigNode node) {
    String uri = node.requiredString("uri");
    if (uri != null) {
      String problem = uriProblem(uri);
      if (problem != null) {
        node.problem("uri", "\"" + Secrets.redactUri(uri) + "\" " + problem);
        uri = null;
      }
    }
    String password = blankToNull(node.string("password", null));
    String key = node.string("key", "vigil:probe");
    if (key.isBlank()) {
      node.problem("key", "must not be empty");
    }
    ConfigNode expect = node.child("expect");
    String role = expect.oneOf("role", null, ROLES);
    boolean writable = expect.bool("writable", false);
    Map<String, String> info = expect.stringMap("info");
    expect.finish();
    return new RedisSettings(uri, password, role, writable, key, info);
  }

  /** What is wrong with a Redis URI, or null: the client would only say so at the first probe. */
  private static String uriProblem(String uri) {
    URI u;
    try {
      u = URI.create(uri);
    } catch (IllegalArgumentException e) {
      return "is not a valid URI";
    }
    String scheme = u.getScheme();
    if (!("redis".equals(scheme) || "rediss".equals(scheme) || "unix".equals(scheme))) {
      return "is not a redis:// or rediss:// URI";
    }
    if ("unix".equals(scheme)) {
      return null;
    }
    if (u.getHost() == null) {
      return "has no host";
    }
    if (u.getPort() == 0 || u.getPort() > 65535) {
      return "has a port out of range (1-65535, was " + u.getPort() + ")";
    }
    String path = u.getPath() == null ? "" : u.getPath();
    if (!path.isEmpty() && !path.equals("/") && !path.matches("/[0-9]{1,4}")) {
      return "names a database that is not a number 0-9999 (was \"" + path.substring(1) + "\")";
    }
    return null;
  }

  static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  @Override
  public List<String> secrets() {
    return Secrets.ofServer(uri, password);
  }

  @Override
  public String toString() {
    return new Secrets(secrets()).describe(this, "password");
  }
}

package io.vigil.check;

import io.vigil.config.CheckSettings;
import io.vigil.config.ConfigNode;
import io.vigil.config.Secrets;
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
    if (uri != null && !validScheme(uri)) {
      node.problem("uri", "\"" + Secrets.redactUri(uri) + "\" is not a redis:// or rediss:// URI");
      uri = null;
    }
    String password = blankToNull(node.string("password", null));
    String key = node.string("key", "vigil:probe");
    ConfigNode expect = node.child("expect");
    String role = expect.oneOf("role", null, ROLES);
    boolean writable = expect.bool("writable", false);
    Map<String, String> info = expect.stringMap("info");
    expect.finish();
    return new RedisSettings(uri, password, role, writable, key, info);
  }

  private static boolean validScheme(String uri) {
    try {
      String scheme = URI.create(uri).getScheme();
      return "redis".equals(scheme) || "rediss".equals(scheme) || "unix".equals(scheme);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  @Override
  public List<String> secrets() {
    return Secrets.ofServer(uri, password);
  }
}

package io.vigil.check;

import io.vigil.config.CheckSettings;
import io.vigil.config.ConfigNode;
import io.vigil.config.Secrets;
import java.net.URI;
import java.util.List;

/**
 * A {@code postgres} check: the server's URI, an optional password kept out of the URI, the role
 * it must have ({@code primary} null means either), and the size of the check's own small pool.
 */
public record PostgresSettings(String uri, String password, Boolean primary, int poolSize)
    implements CheckSettings {

  static PostgresSettings parse(ConfigNode node) {
    String uri = node.requiredString("uri");
    if (uri != null && !validScheme(uri)) {
      node.problem("uri", "\"" + Secrets.redactUri(uri) + "\" is not a postgresql:// or postgres:// URI");
      uri = null;
    }
    String password = RedisSettings.blankToNull(node.string("password", null));
    int poolSize = node.integer("pool-size", 2, 1);
    ConfigNode expect = node.child("expect");
    Boolean primary = expect.optionalBool("primary");
    expect.finish();
    return new PostgresSettings(uri, password, primary, poolSize);
  }

  private static boolean validScheme(String uri) {
    try {
      String scheme = URI.create(uri).getScheme();
      return "postgresql".equals(scheme) || "postgres".equals(scheme);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  public List<String> secrets() {
    return Secrets.ofServer(uri, password);
  }
}

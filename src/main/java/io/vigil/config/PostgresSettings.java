package io.vigil.config;

import io.vertx.pgclient.PgConnectOptions;
import java.net.URI;
import java.util.List;

/**
 * A {@code postgres} check: the server's URI, an optional password kept out of the URI, the role
 * it must have ({@code primary} null means either), and the size of the check's own small pool.
 */
public record PostgresSettings(String uri, String password, Boolean primary, int poolSize)
    implements CheckSettings {

  /** A check's pool is for probing, not for load: a few connections are plenty. */
  static final int MAX_POOL_SIZE = 32;

  static PostgresSettings parse(ConfigNode node) {
    String uri = node.requiredString("uri");
    if (uri != null) {
      String problem = uriProblem(uri);
      if (problem != null) {
        node.problem("uri", "\"" + Secrets.redactUri(uri) + "\" " + problem);
        uri = null;
      }
    }
    String password = RedisSettings.blankToNull(node.string("password", null));
    int poolSize = node.integer("pool-size", 2, 1, MAX_POOL_SIZE);
    ConfigNode expect = node.child("expect");
    Boolean primary = expect.optionalBool("primary");
    expect.finish();
    return new PostgresSettings(uri, password, primary, poolSize);
  }

  /**
   * What is wrong with the URI, or null. The check parses it with the client's own parser, so that
   * is the one asked here: a URI it refuses would otherwise fail only at start, in its own words,
   * which quote the whole URI, password included.
   */
  private static String uriProblem(String uri) {
    try {
      String scheme = URI.create(uri).getScheme();
      if (!"postgresql".equals(scheme) && !"postgres".equals(scheme)) {
        return "is not a postgresql:// or postgres:// URI";
      }
    } catch (IllegalArgumentException e) {
      return "is not a valid URI";
    }
    PgConnectOptions options;
    try {
      options = PgConnectOptions.fromUri(uri);
    } catch (RuntimeException e) {
      return "is not a PostgreSQL URI the client can read (write postgresql://user@host:port/database,"
          + " port 1-65535, special characters in the password percent-encoded)";
    }
    if (options.getPort() < 1 || options.getPort() > 65535) {
      return "has a port out of range (1-65535, was " + options.getPort() + ")";
    }
    return null;
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

package io.vigil.testsupport;

import java.time.Duration;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * Finds the real Redis and PostgreSQL servers tests run against, in this order: the servers named by
 * {@code VIGIL_TEST_REDIS_URI} / {@code VIGIL_TEST_PG_URI}; Testcontainers when a Docker engine runs;
 * the standard local ports when a server answers there. Otherwise it fails, saying what to start: a
 * silently skipped integration test proves nothing.
 */
public final class TestServers {
  private static String redis;
  private static String postgres;

  private TestServers() {}

  /** A {@code redis://host:port} URI of a running Redis. */
  public static synchronized String redisUri() {
    if (redis == null) {
      redis = find("VIGIL_TEST_REDIS_URI", "redis://127.0.0.1:6379", 6379, TestServers::redisContainer,
          "start Redis: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save \"\" --appendonly no");
    }
    return redis;
  }

  /** A {@code postgresql://user@host:port/db} URI of a running PostgreSQL (trust or password in URI). */
  public static synchronized String postgresUri() {
    if (postgres == null) {
      postgres = find("VIGIL_TEST_PG_URI", "postgresql://postgres@127.0.0.1:5432/test", 5432,
          TestServers::postgresContainer,
          "start PostgreSQL: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start");
    }
    return postgres;
  }

  /** Host of a {@code scheme://[user[:pw]@]host:port/...} URI. */
  public static String host(String uri) {
    return java.net.URI.create(uri).getHost();
  }

  /** Port of a {@code scheme://[user[:pw]@]host:port/...} URI. */
  public static int port(String uri) {
    return java.net.URI.create(uri).getPort();
  }

  private static String find(String env, String local, int port,
      java.util.function.Supplier<String> container, String howToStart) {
    String named = System.getenv(env);
    if (named != null && !named.isBlank()) {
      return named;
    }
    if (dockerRuns()) {
      return container.get();
    }
    if (TestPorts.accepts("127.0.0.1", port, Duration.ofMillis(500))) {
      return local;
    }
    throw new IllegalStateException("No server for this test: set " + env
        + ", run a Docker engine for Testcontainers, or " + howToStart);
  }

  private static boolean dockerRuns() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  @SuppressWarnings("resource") // lives for the whole test JVM; Ryuk removes it
  private static String redisContainer() {
    GenericContainer<?> c = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
    c.start();
    return "redis://" + c.getHost() + ":" + c.getMappedPort(6379);
  }

  @SuppressWarnings("resource")
  private static String postgresContainer() {
    PostgreSQLContainer c = new PostgreSQLContainer("postgres:15-alpine");
    c.start();
    return "postgresql://" + c.getUsername() + ":" + c.getPassword() + "@" + c.getHost() + ":"
        + c.getMappedPort(5432) + "/" + c.getDatabaseName();
  }
}

package io.vigil.testsupport;

import io.vigil.Vigil;
import io.vigil.check.Check;
import io.vigil.model.CheckOptions;
import io.vigil.config.ConfigLoader;
import io.vigil.config.VigilConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * A whole monitor started through {@link Vigil#start} (the path {@code main} takes) on a free
 * loopback port, with a blocking HTTP client for the JUnit thread (never an event loop).
 */
public final class MonitorFixture implements AutoCloseable {
  /**
   * Fast options for checks written in tests: 100 ms interval, flips on one result. The checks they
   * serve answer at once, so the timeout (the whole interval) and the 5 s max-age are only there so
   * that a loaded machine's stall of the event loop is not read as a failed or stale check.
   */
  public static final CheckOptions FAST = CheckOptions.DEFAULTS.withInterval(Duration.ofMillis(100))
      .withTimeout(Duration.ofMillis(100)).withMaxAge(Duration.ofSeconds(5)).withThresholds(1, 1);

  private final Vigil.Running running;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private MonitorFixture(Vigil.Running running) {
    this.running = running;
  }

  /** Starts a monitor from YAML; {@code server.host/port} default to 127.0.0.1 and a free port. */
  public static MonitorFixture start(String yaml) {
    return start(yaml, Map.of());
  }

  public static MonitorFixture start(String yaml, Map<String, String> env) {
    String withServer = yaml.contains("server:") ? yaml
        : "server: { host: 127.0.0.1, port: 0, shutdown: { drain-delay: 0s, timeout: 5s } }\n" + yaml;
    VigilConfig config = new ConfigLoader(env).parse(withServer, "test.yaml");
    return new MonitorFixture(Vigil.start(config));
  }

  public Vigil.Running running() {
    return running;
  }

  public int port() {
    return running.port();
  }

  /** Registers a check written in code and waits for the registration. */
  public void register(String name, Check check, CheckOptions options) {
    await(running.monitor().register(name, check, options));
  }

  public HttpResponse<String> get(String path, String... headers) {
    return get(http, port(), path, Duration.ofSeconds(5), headers);
  }

  /** A GET to 127.0.0.1:{@code port} with header name/value pairs; an I/O failure fails the test. */
  public static HttpResponse<String> get(HttpClient http, int port, String path, Duration timeout, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(timeout);
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("GET " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public int status(String path) {
    return get(path).statusCode();
  }

  /** Polls until the condition holds, failing with {@code what} after {@code timeout}. */
  public static void eventually(Duration timeout, String what, BooleanSupplier condition) {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  public static <T> T await(io.vertx.core.Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      // What Vert.x's threads were doing: a hang that passes when rerun is otherwise left unexplained.
      throw new AssertionError("future did not complete in 10 s; Vert.x threads:\n" + vertxThreads(), e);
    } catch (Exception e) {
      throw new AssertionError("future did not complete: " + e, e);
    }
  }

  private static String vertxThreads() {
    StringBuilder b = new StringBuilder();
    Thread.getAllStackTraces().forEach((t, frames) -> {
      if (t.getName().startsWith("vert.x-")) {
        b.append(t.getName()).append(' ').append(t.getState()).append('\n');
        for (int i = 0; i < Math.min(12, frames.length); i++) {
          b.append("    at ").append(frames[i]).append('\n');
        }
      }
    });
    return b.toString();
  }

  public static List<String> lines(String text) {
    return List.of(text.split("\n"));
  }

  @Override
  public void close() {
    await(running.vertx().close());
  }
}

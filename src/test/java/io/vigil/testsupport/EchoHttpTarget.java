package io.vigil.testsupport;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An HTTP server on 127.0.0.1 that answers every request with a set status (500 unless told) and a
 * {@code text/plain} body echoing what it received: the request line with the full query string,
 * every header as {@code Name: value} (names as the client spelled them), a blank line, and the
 * first 64 KiB of the request body. A target that would leak credentials (API keys in headers,
 * tokens in the query) into Vigil's error messages if Vigil did not scrub them. A Vert.x
 * HttpServer: its handler never blocks. {@link #start} and {@link #close} wait, so call them from
 * the test thread, not an event loop.
 */
public final class EchoHttpTarget implements AutoCloseable {
  private static final int MAX_BODY = 64 * 1024;

  private final Vertx vertx;
  private final boolean ownVertx;
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicReference<String> last = new AtomicReference<>();
  private volatile int status = 500;
  private HttpServer server;
  private int port;

  private EchoHttpTarget(Vertx vertx, boolean ownVertx) {
    this.vertx = vertx;
    this.ownVertx = ownVertx;
  }

  /** A target on its own Vert.x instance (closed with it). */
  public static EchoHttpTarget start() {
    PrivateFixtures.notOnEventLoop("EchoHttpTarget.start");
    return start(Vertx.vertx(), true);
  }

  /** A target on the test's {@code vertx}. */
  public static EchoHttpTarget start(Vertx vertx) {
    PrivateFixtures.notOnEventLoop("EchoHttpTarget.start");
    return start(vertx, false);
  }

  private static EchoHttpTarget start(Vertx vertx, boolean own) {
    EchoHttpTarget t = new EchoHttpTarget(vertx, own);
    Throwable last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      int candidate = TestPorts.closed(); // below the ephemeral range: see TestPorts
      HttpServer s = vertx.createHttpServer().requestHandler(t::echo);
      try {
        await(s.listen(candidate, "127.0.0.1"));
        t.server = s;
        t.port = candidate;
        return t;
      } catch (IllegalStateException e) {
        last = e.getCause(); // someone took the port between the check and the bind: try another
      }
    }
    if (own) {
      vertx.close();
    }
    throw new IllegalStateException("EchoHttpTarget could not listen on 127.0.0.1: " + last, last);
  }

  /** Answers later requests with {@code code}. */
  public EchoHttpTarget status(int code) {
    this.status = code;
    return this;
  }

  /** {@code http://127.0.0.1:PORT} + {@code pathAndQuery} (a leading {@code /} is added when missing). */
  public String url(String pathAndQuery) {
    return "http://127.0.0.1:" + port + (pathAndQuery.startsWith("/") ? "" : "/") + pathAndQuery;
  }

  public int port() {
    return port;
  }

  /** Requests received so far. */
  public int requests() {
    return requests.get();
  }

  /** The body of the last answer (what the last request looked like), or {@code null}. */
  public String lastEcho() {
    return last.get();
  }

  private void echo(HttpServerRequest req) {
    requests.incrementAndGet();
    StringBuilder text = new StringBuilder()
        .append(req.method().name()).append(' ').append(req.uri()).append(' ').append(version(req.version()))
        .append("\r\n");
    for (Map.Entry<String, String> h : req.headers()) {
      text.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
    }
    text.append("\r\n");
    Buffer body = Buffer.buffer();
    req.handler(chunk -> {
      int room = MAX_BODY - body.length();
      if (room > 0) {
        body.appendBuffer(chunk.length() <= room ? chunk : chunk.slice(0, room));
      }
    });
    req.endHandler(v -> {
      String echo = text.append(body.toString()).toString();
      last.set(echo);
      req.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8").end(echo);
    });
    req.exceptionHandler(e -> req.response().reset());
  }

  private static String version(HttpVersion v) {
    return switch (v) {
      case HTTP_1_0 -> "HTTP/1.0";
      case HTTP_1_1 -> "HTTP/1.1";
      default -> v.alpnName();
    };
  }

  @Override
  public synchronized void close() {
    if (server == null) {
      return;
    }
    HttpServer s = server;
    server = null;
    try {
      await(s.close());
    } finally {
      if (ownVertx) {
        await(vertx.close());
      }
    }
  }

  @Override
  public String toString() {
    return "EchoHttpTarget[port=" + port + "]";
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("no answer from Vert.x within 10 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}

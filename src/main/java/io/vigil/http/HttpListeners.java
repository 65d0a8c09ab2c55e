package io.vigil.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vigil.config.ServerConfig;
import io.vigil.config.ServingOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The listeners of one monitor over all its HTTP verticle instances: the main port and, when
 * {@code server.management-port} is set, the management port. Vert.x shares one listening socket
 * between the instances of a port and hands each new connection to the next instance's event loop;
 * each port has one {@link ConnectionGuard} for all its instances. Shut down together.
 */
public final class HttpListeners {
  private static final Logger LOG = Logger.getLogger("vigil.http");
  /** Vert.x shares a random port between servers that listen on the same negative port. */
  private static final AtomicInteger RANDOM_PORT_IDS = new AtomicInteger();
  /**
   * SO_SNDBUF of every accepted connection (Linux doubles it). Left to autotuning, the kernel of a
   * client that never reads takes up to net.ipv4.tcp_wmem's maximum (4 MB) per connection before
   * Vert.x sees a full write queue: 256 idle SSE subscribers held a gigabyte of kernel memory and
   * every event batch was copied into all of it. 128 KiB still fills a LAN path.
   */
  static final int SEND_BUFFER = 128 * 1024;

  /** The two listeners. */
  public enum Port { MAIN, MANAGEMENT }

  private final ServerConfig config;
  private Vertx vertx;
  private ConnectionGuard mainGuard;
  private ConnectionGuard managementGuard;
  private final int mainBind;
  private final int managementBind;
  private final List<HttpServer> servers = new ArrayList<>();
  private volatile int port = -1;
  private volatile int managementPort = -1;

  public HttpListeners(ServerConfig config) {
    this.config = config;
    ServingOptions o = config.serving();
    int id = RANDOM_PORT_IDS.incrementAndGet();
    this.mainBind = config.port() == 0 ? -(2 * id) : config.port();
    this.managementBind = o.managementPort().orElse(-1) == 0 ? -(2 * id + 1) : o.managementPort().orElse(-1);
  }

  /** Called by each instance's start(); the first one sets up the shared connection guards. */
  synchronized void bind(Vertx v) {
    if (vertx == null) {
      vertx = v;
      ServingOptions o = config.serving();
      mainGuard = new ConnectionGuard(v, o.maxConnections(), o.idleTimeout(), "main");
      managementGuard = new ConnectionGuard(v, o.maxConnections(), o.idleTimeout(), "management");
    }
  }

  /** Whether {@code /metrics} and {@code /events} have a port of their own. */
  public boolean split() {
    return config.serving().managementPort().isPresent();
  }

  /** Listens with {@code router} on {@code which}; called by each instance, on its event loop. */
  Future<HttpServer> listen(Port which, Router router) {
    ConnectionGuard guard = guard(which);
    HttpServer server = vertx.createHttpServer(options(which == Port.MAIN ? mainBind : managementBind))
        .connectionHandler(guard::connected)
        .requestHandler(guard.guard(router));
    return server.listen().onSuccess(s -> listening(which, s, guard));
  }

  private synchronized void listening(Port which, HttpServer s, ConnectionGuard guard) {
    servers.add(s);
    guard.start();
    if (which == Port.MAIN && port < 0) {
      port = s.actualPort();
      LOG.info("listening host=" + config.host() + " port=" + port
          + (split() ? "" : " endpoints=all"));
    } else if (which == Port.MANAGEMENT && managementPort < 0) {
      managementPort = s.actualPort();
      LOG.info("management listening host=" + config.host() + " port=" + managementPort + " endpoints=/metrics,/events,/");
    }
  }

  /** The main port as bound (useful when configured as 0). */
  public int port() {
    return port;
  }

  /** The management port as bound, when there is one. */
  public OptionalInt managementPort() {
    return managementPort < 0 ? OptionalInt.empty() : OptionalInt.of(managementPort);
  }

  /** Stops accepting on every port and lets requests in flight finish, up to {@code timeoutMs}. */
  public Future<Void> shutdown(long timeoutMs) {
    List<HttpServer> all;
    synchronized (this) {
      all = List.copyOf(servers);
    }
    if (mainGuard != null) {
      mainGuard.stop();
      managementGuard.stop();
    }
    return Future.join(all.stream().map(s -> s.shutdown(timeoutMs, TimeUnit.MILLISECONDS)).toList()).mapEmpty();
  }

  synchronized ConnectionGuard guard(Port which) {
    return which == Port.MAIN ? mainGuard : managementGuard;
  }

  private HttpServerOptions options(int bind) {
    int idleMs = (int) Math.min(Integer.MAX_VALUE, config.serving().idleTimeout().toMillis());
    return new HttpServerOptions()
        .setHost(config.host()).setPort(bind)
        .setMaxHeaderSize(8192).setMaxInitialLineLength(4096)
        .setSendBufferSize(SEND_BUFFER)
        // Closes a connection with no read and no write completed for this long (stalled I/O).
        .setIdleTimeout(idleMs).setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        // No HTTP/2 over cleartext: one h2c connection could multiplex thousands of /metrics streams.
        .setHttp2ClearTextEnabled(false)
        // A burst of new connections waits in the kernel's queue rather than being refused.
        .setAcceptBacklog(4096);
  }
}

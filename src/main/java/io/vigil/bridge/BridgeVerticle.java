package io.vigil.bridge;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
import io.vigil.config.BridgeConfig;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Vert.x's TCP event-bus bridge on its own port ({@code bridge:}), for programs that are not on the
 * JVM: they register for {@link Permissions#OUTBOUND} and ask {@code vigil.status}, in the bridge's
 * frames (a 4-byte big-endian length, then UTF-8 JSON). It sits on the local event bus, which in a
 * cluster carries every member's events. Undeploying it closes the port and every client's
 * connection, and with them the consumers the clients registered.
 */
public final class BridgeVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger("vigil.bridge");
  private static final long SWEEP_MS = 1000;
  /** Closing takes milliseconds; a drain must not wait on it longer than this. */
  private static final long CLOSE_TIMEOUT_MS = 1000;
  private static final long QUIET_NANOS = TimeUnit.MINUTES.toNanos(1);

  /** The bridge could not listen, e.g. its port is taken; the message is the reason alone. */
  public static final class ListenFailed extends RuntimeException {
    ListenFailed(Throwable cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }

  private final BridgeConfig config;
  private final Clients clients = new Clients();
  private TcpEventBusBridge bridge;
  private long sweeper = -1;
  private long errorLoggedAt;
  private int failures;

  public BridgeVerticle(BridgeConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    errorLoggedAt = System.nanoTime() - QUIET_NANOS;
    context.exceptionHandler(this::clientError);
    bridge = TcpEventBusBridge.create(vertx, Permissions.options(), new NetServerOptions(), clients);
    return bridge.listen(config.port(), config.host())
        .recover(e -> Future.failedFuture(new ListenFailed(e)))
        .onSuccess(b -> {
          sweeper = vertx.setPeriodic(SWEEP_MS, id -> clients.dropSlow());
          LOG.info("listening host=" + config.host() + " port=" + config.port() + " outbound="
              + String.join(",", Permissions.OUTBOUND) + " inbound=" + String.join(",", Permissions.INBOUND));
        });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(sweeper);
    return bridge.close().timeout(CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS).otherwise(e -> {
      LOG.warning("close not done within " + CLOSE_TIMEOUT_MS + "ms; going on error=\"" + e + "\"");
      return null;
    });
  }

  /**
   * The 5.0.8 bridge throws from its frame parser on a frame it cannot handle (a missing or unknown
   * type, a negative length), then on every read of that connection: a line a minute at most, not
   * Vert.x's unhandled-exception stack trace per read.
   */
  private void clientError(Throwable t) {
    failures++;
    long now = System.nanoTime();
    if (now - errorLoggedAt >= QUIET_NANOS) {
      LOG.warning("client frame failed failures=" + failures + " last=\"" + t + "\"");
      errorLoggedAt = now;
      failures = 0;
    }
  }
}

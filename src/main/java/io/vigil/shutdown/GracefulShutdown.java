package io.vigil.shutdown;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vigil.model.Phase;
import io.vigil.config.Durations;
import io.vigil.config.ServerConfig;
import io.vigil.http.HttpVerticle;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The ordered drain (README, "Graceful shutdown"): DRAINING and readiness 503 at once; wait the
 * drain delay so load balancers take the instance out; close the event-bus bridge, if any (its
 * clients see their connection end, the STOPPED of a bridge client), stop accepting HTTP and let
 * requests in flight finish; undeploy the checks, then HTTP; STOPPED; close Vert.x. Runs on its own
 * thread, never on an event loop, and is bounded as a whole by {@code server.shutdown.timeout}.
 */
public final class GracefulShutdown {
  private static final Logger LOG = Logger.getLogger("vigil.shutdown");
  private final Vertx vertx;
  private final Drainable monitor;
  private final HttpVerticle http;
  private final String httpDeployment;
  private final Optional<String> bridgeDeployment;
  private final ServerConfig server;
  private long deadline;

  /** {@code bridgeDeployment}: the event-bus bridge's verticle, when {@code bridge.enabled}. */
  public GracefulShutdown(Vertx vertx, Drainable monitor, HttpVerticle http, String httpDeployment,
      Optional<String> bridgeDeployment, ServerConfig server) {
    this.vertx = vertx;
    this.monitor = monitor;
    this.http = http;
    this.httpDeployment = httpDeployment;
    this.bridgeDeployment = bridgeDeployment;
    this.server = server;
  }

  /** Runs the whole sequence on the calling thread; returns the process exit status (0 when clean). */
  public int run() {
    long start = System.nanoTime();
    deadline = start + server.shutdownTimeout().toNanos();
    try {
      await("drain", monitor::drain);
      LOG.info("lifecycle phase=DRAINING drainDelay=" + Durations.format(server.drainDelay())
          + " timeout=" + Durations.format(server.shutdownTimeout()));
      pause(server.drainDelay());
      if (bridgeDeployment.isPresent()) {
        await("close-bridge", () -> vertx.undeploy(bridgeDeployment.get()));
      }
      await("http-shutdown", () -> http.shutdown(remainingMs()));
      await("undeploy-checks", monitor::stop);
      await("undeploy-http", () -> vertx.undeploy(httpDeployment));
      await("publish-stopped", () -> monitor.publish(Phase.STOPPED));
      await("close-vertx", vertx::close);
      LOG.info("lifecycle phase=STOPPED after=" + (System.nanoTime() - start) / 1_000_000 + "ms exit=0");
      return 0;
    } catch (StepTimeout e) {
      LOG.severe("shutdown timed out after " + Durations.format(server.shutdownTimeout())
          + "; still running: " + e.step + "; exiting with status 1");
      return 1;
    } catch (StepFailed e) {
      LOG.log(Level.SEVERE, "shutdown step " + e.step + " failed; exiting with status 1", e.getCause());
      return 1;
    }
  }

  private long remainingMs() {
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
  }

  private void pause(Duration d) {
    long ms = Math.min(d.toMillis(), remainingMs());
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void await(String step, Supplier<Future<?>> action) {
    long left = remainingMs();
    if (left <= 0) {
      throw new StepTimeout(step);
    }
    try {
      action.get().toCompletionStage().toCompletableFuture().get(left, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new StepTimeout(step);
    } catch (ExecutionException e) {
      throw new StepFailed(step, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StepTimeout(step);
    }
  }

  private static final class StepTimeout extends RuntimeException {
    final String step;

    StepTimeout(String step) {
      super(step, null, false, false);
      this.step = step;
    }
  }

  private static final class StepFailed extends RuntimeException {
    final String step;

    StepFailed(String step, Throwable cause) {
      super(step, cause, false, false);
      this.step = step;
    }
  }
}

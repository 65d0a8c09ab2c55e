package io.vigil.testsupport;

import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxBootstrap;
import io.vertx.core.spi.VertxServiceProvider;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Tightens every Vert.x built in a test JVM to the limit {@link BlockedThreadGuard} enforces: an
 * event loop busy for more than {@link #MAX_EVENT_LOOP_EXECUTE} is reported (Vert.x's default is 2 s),
 * checked every {@link #CHECK_INTERVAL}. Vert.x loads this provider (listed in
 * {@code META-INF/services/io.vertx.core.spi.VertxServiceProvider} on the test class path) for every
 * instance it builds, before the instance reads its options: {@code Vertx.vertx()},
 * {@code Vertx.builder()}, the program's own in {@code Vigil.start}, and VertxExtension's. So a test
 * written tomorrow is guarded without knowing of this class. A limit a test set tighter is kept.
 *
 * <p>{@link VertxBootstrap} is Vert.x's internal API (5.0.x); if an upgrade moves it,
 * BlockedThreadGuardTest fails rather than this silently doing nothing.
 */
public final class BlockedThreadGuardOptions implements VertxServiceProvider {
  /** The longest an event loop may run one task in a test. */
  public static final Duration MAX_EVENT_LOOP_EXECUTE = Duration.ofMillis(200);
  /** How often the checker looks: a block of limit + this is always seen. */
  public static final Duration CHECK_INTERVAL = Duration.ofMillis(50);
  /**
   * System property; {@code false} leaves options as the code under test set them (for a child JVM
   * that shows the program's own limits).
   */
  public static final String ENABLED = "vigil.test.tighten-vertx";

  @Override
  public void init(VertxBootstrap bootstrap) {
    if (Boolean.parseBoolean(System.getProperty(ENABLED, "true"))) {
      tighten(bootstrap.options());
    }
  }

  /** Lowers the event-loop limit and the check interval to the test values when they are looser. */
  public static VertxOptions tighten(VertxOptions o) {
    if (o.getMaxEventLoopExecuteTimeUnit().toNanos(o.getMaxEventLoopExecuteTime()) > MAX_EVENT_LOOP_EXECUTE.toNanos()) {
      o.setMaxEventLoopExecuteTime(MAX_EVENT_LOOP_EXECUTE.toMillis()).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS);
    }
    // A stack with every warning, not only after Vert.x's 5 s: the guard's message shows where it blocked.
    if (o.getWarningExceptionTimeUnit().toNanos(o.getWarningExceptionTime()) > MAX_EVENT_LOOP_EXECUTE.toNanos()) {
      o.setWarningExceptionTime(MAX_EVENT_LOOP_EXECUTE.toMillis()).setWarningExceptionTimeUnit(TimeUnit.MILLISECONDS);
    }
    if (o.getBlockedThreadCheckIntervalUnit().toNanos(o.getBlockedThreadCheckInterval()) > CHECK_INTERVAL.toNanos()) {
      o.setBlockedThreadCheckInterval(CHECK_INTERVAL.toMillis()).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS);
    }
    return o;
  }
}

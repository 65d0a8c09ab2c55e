package io.vigil.testsupport;

import io.vertx.core.Vertx;
import io.vigil.check.Check;
import io.vigil.check.CheckRunner;
import io.vigil.check.Checks;
import io.vigil.config.CheckConfig;
import io.vigil.config.ConfigLoader;
import io.vigil.config.Secrets;
import io.vigil.model.CheckResult;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

/** One real check built from YAML, run through the real {@link CheckRunner}, for check tests. */
public final class CheckHarness implements AutoCloseable {
  private final Check check;
  private final CheckRunner runner;

  private CheckHarness(Vertx vertx, CheckConfig config) {
    this.check = Checks.create(vertx, config);
    this.runner = new CheckRunner(vertx, config.name(), config.type(), check, config.options().timeout(),
        new Secrets(config.settings().secrets()));
  }

  /** {@code body} is the check's YAML mapping, e.g. {@code type: redis, uri: "redis://..."}. */
  public static CheckHarness of(Vertx vertx, String body) {
    String yaml = "checks:\n  target: { interval: 2s, timeout: 1s, " + body + " }\n";
    return new CheckHarness(vertx, new ConfigLoader(Map.of()).parse(yaml, "test.yaml").checks().get(0));
  }

  public CheckResult probe() {
    return MonitorFixture.await(runner.run());
  }

  /** Probes until a result matches (every 50 ms), failing after {@code within}. */
  public CheckResult probeUntil(Duration within, String what, Predicate<CheckResult> wanted) {
    long end = System.nanoTime() + within.toNanos();
    CheckResult last = null;
    while (System.nanoTime() < end) {
      last = probe();
      if (wanted.test(last)) {
        return last;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new AssertionError("not within " + within.toMillis() + " ms: " + what + "; last result " + last);
  }

  @Override
  public void close() {
    MonitorFixture.await(check.close());
  }
}

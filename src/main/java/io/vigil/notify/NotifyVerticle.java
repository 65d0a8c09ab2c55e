package io.vigil.notify;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vigil.config.NotifierConfig;
import io.vigil.config.Secrets;
import io.vigil.model.Clock;
import io.vigil.model.Snapshot;
import io.vigil.paging.Pager;
import io.vigil.paging.Page;
import io.vigil.paging.PagingRules;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The built-in notifiers: every {@value #EVALUATE_MS} ms each notifier's {@link Pager} reads the
 * board's latest snapshot (in memory, no lock) and what it pages is rendered and queued in that
 * notifier's {@link Outbox}. Nothing here is on a probe's or the board's path: a receiver that is
 * slow, dead or refusing costs its own queue only. Clustered, a page goes out from the member that
 * owns its root check ({@code sends}); every member runs the pagers, so one taking a check over
 * knows what was paged. Draining, nothing new is paged: the monitor is going away, not the targets.
 */
public final class NotifyVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger("vigil.notify");
  static final long EVALUATE_MS = 500;

  /** One notifier: its rules, its format, its queue. */
  private record Notifier(NotifierConfig config, Pager pager, Format format, Outbox outbox) {}

  private final List<NotifierConfig> configs;
  private final Supplier<Snapshot> snapshots;
  private final Predicate<String> sends;
  private final Secrets secrets;
  private final MeterRegistry registry;
  private final Clock clock;
  private final List<Notifier> notifiers = new ArrayList<>();
  private HttpClient client;
  private long timer = -1;

  /**
   * {@code sends}: whether this member sends the pages of a root check (its owner). A check the
   * snapshot flags in maintenance is paged for nothing meanwhile.
   */
  public NotifyVerticle(List<NotifierConfig> configs, Supplier<Snapshot> snapshots, Predicate<String> sends,
      Secrets secrets, MeterRegistry registry, Clock clock) {
    this.configs = List.copyOf(configs);
    this.snapshots = snapshots;
    this.sends = sends;
    this.secrets = secrets;
    this.registry = registry;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    long connect = configs.stream().mapToLong(c -> c.timeout().toMillis()).max().orElse(5_000);
    client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setConnectTimeout((int) Math.min(connect,
        Integer.MAX_VALUE)).setTrustAll(false).setVerifyHost(true), new PoolOptions().setHttp1MaxSize(configs.size() + 1));
    for (NotifierConfig c : configs) {
      Format format = switch (c.type()) {
        case ALERTMANAGER -> new AlertmanagerFormat(c.repeatInterval(), secrets);
        case WEBHOOK -> new WebhookFormat(c.name(), c.secret(), secrets);
        case SLACK -> new SlackFormat();
      };
      Pager pager = new Pager(new PagingRules(c.checks() == null ? null : new HashSet<>(c.checks()), c.minSeverity(),
          c.groupWait(), c.repeatInterval(), c.sendResolved()));
      notifiers.add(new Notifier(c, pager, format, new Outbox(vertx, client, c, format.path(), secrets, registry)));
      LOG.info("notifier=" + c.name() + " type=" + c.type().key() + " checks="
          + (c.checks() == null ? "all" : String.join(",", c.checks())) + " min-severity=" + c.minSeverity().label());
    }
    timer = vertx.setPeriodic(EVALUATE_MS, id -> evaluate());
    return Future.succeededFuture();
  }

  private void evaluate() {
    Snapshot snapshot = snapshots.get();
    if (snapshot.draining()) {
      return;
    }
    long now = clock.nanos();
    Instant wall = clock.wall();
    for (Notifier n : notifiers) {
      for (Page page : n.pager().evaluate(snapshot, now, wall)) {
        if (sends.test(page.name())) {
          n.outbox().offer(n.format().render(page, wall), page.name());
        }
      }
    }
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    for (Notifier n : notifiers) {
      int left = n.outbox().close();
      if (left > 0) {
        LOG.warning("notifier=" + n.config().name() + " undelivered=" + left + " at shutdown");
      }
    }
    return client == null ? Future.succeededFuture() : client.close();
  }
}

package io.vigil.check;

import io.vertx.core.net.NetClientOptions;
import io.vigil.config.CheckOptions;
import java.util.concurrent.TimeUnit;

/** Socket options shared by the pooled clients of the checks. */
final class ClientOptions {
  private ClientOptions() {}

  /**
   * Connect within the check's timeout; and close a pooled connection that has read nothing for two
   * intervals plus a timeout. A healthy connection is read at every probe and never trips it; a
   * blackholed one does, so its stuck commands fail and the pool opens a fresh connection instead
   * of queueing probes behind a dead socket forever.
   */
  static NetClientOptions net(CheckOptions options) {
    long readIdle = options.interval().multipliedBy(2).plus(options.timeout()).toMillis();
    return new NetClientOptions()
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, options.timeout().toMillis()))
        .setReadIdleTimeout((int) Math.min(Integer.MAX_VALUE, readIdle))
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        .setTcpKeepAlive(true);
  }
}

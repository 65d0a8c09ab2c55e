package io.vigil.check;

import io.vertx.core.net.NetClientOptions;
import io.vigil.model.CheckOptions;
import java.util.concurrent.TimeUnit;

/** Socket options shared by the pooled clients of the checks. */
final class ClientOptions {
  private ClientOptions() {}

  /**
   * Connect, and finish a TLS handshake, within the check's timeout, so a probe stuck there ends by
   * itself even before it holds anything {@link Check#abort()} could end. And, as a backstop behind
   * abort, close a pooled connection that has read nothing for two intervals plus a timeout: a
   * healthy connection is read at every probe and never trips it.
   */
  static NetClientOptions net(CheckOptions options) {
    long readIdle = options.interval().multipliedBy(2).plus(options.timeout()).toMillis();
    long timeoutMs = Math.max(1, options.timeout().toMillis());
    return new NetClientOptions()
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs))
        .setSslHandshakeTimeout(timeoutMs)
        .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS)
        .setReadIdleTimeout((int) Math.min(Integer.MAX_VALUE, readIdle))
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        .setTcpKeepAlive(true);
  }
}

package io.vigil.hostile;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The target of the monitor's {@code tcp} checks: a listener on 127.0.0.1 that accepts and closes.
 * A connect-only check is UP once the kernel completes the handshake, which it does from the
 * backlog even while this JVM is busy, so the checks stay UP whatever the test's own load.
 */
final class TcpTarget implements AutoCloseable {
  private final ServerSocketChannel server;
  private final Thread acceptor;
  private final AtomicLong accepted = new AtomicLong();

  TcpTarget() throws IOException {
    server = ServerSocketChannel.open();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
    acceptor = new Thread(this::acceptForever, "tcp-target");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.socket().getLocalPort();
  }

  long accepted() {
    return accepted.get();
  }

  private void acceptForever() {
    while (server.isOpen()) {
      try (SocketChannel c = server.accept()) {
        accepted.incrementAndGet();
      } catch (IOException closedOrReset) {
        if (!server.isOpen()) {
          return;
        }
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}

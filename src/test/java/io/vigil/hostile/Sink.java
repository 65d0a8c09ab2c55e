package io.vigil.hostile;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** A listener that accepts everything, reads and discards, and never answers. */
final class Sink implements AutoCloseable {
  private final ServerSocketChannel server;
  private final Selector selector;
  private final Thread thread;
  private volatile boolean running = true;

  Sink() throws IOException {
    server = ServerSocketChannel.open();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8192);
    server.configureBlocking(false);
    selector = Selector.open();
    server.register(selector, SelectionKey.OP_ACCEPT);
    thread = new Thread(this::run, "sink");
    thread.setDaemon(true);
    thread.start();
  }

  InetSocketAddress address() throws IOException {
    return (InetSocketAddress) server.getLocalAddress();
  }

  private void run() {
    ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
    try {
      while (running) {
        selector.select(20);
        for (SelectionKey k : selector.selectedKeys()) {
          if (k.isValid() && k.isAcceptable()) {
            SocketChannel c;
            while ((c = server.accept()) != null) {
              c.configureBlocking(false);
              c.register(selector, SelectionKey.OP_READ);
            }
          } else if (k.isValid() && k.isReadable()) {
            buf.clear();
            try {
              if (((SocketChannel) k.channel()).read(buf) < 0) {
                k.channel().close();
              }
            } catch (IOException e) {
              k.channel().close();
            }
          }
        }
        selector.selectedKeys().clear();
      }
    } catch (IOException e) {
      // closing
    }
  }

  @Override
  public void close() throws Exception {
    running = false;
    selector.wakeup();
    thread.join(5000);
    for (SelectionKey k : selector.keys()) {
      k.channel().close();
    }
    selector.close();
  }
}

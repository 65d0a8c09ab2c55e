package io.vigil.check;

import io.vigil.testsupport.TestPorts;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A target on 127.0.0.1 that accepts every connection and never answers a byte (or only a fixed
 * greeting, such as garbage): the most common real outage (a hung process, a full backlog behind a proxy). It counts the connections open now
 * (accepted and not yet closed by the client, seen as end of stream) and the most ever open at once,
 * so a test can tell whether a probe that gave up really let go of its socket. Plain threads: test
 * code that never runs on an event loop.
 */
public final class SilentTarget implements AutoCloseable {
  private final ServerSocket server;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger maxOpen = new AtomicInteger();
  private final byte[] greeting;

  public SilentTarget() {
    this(new byte[0]);
  }

  /** A target that writes {@code greeting} on each connection (e.g. bytes no protocol expects), then nothing. */
  public SilentTarget(byte[] greeting) {
    this.greeting = greeting.clone();
    try {
      server = TestPorts.listen(); // outside the ephemeral range: see TestPorts
    } catch (IOException e) {
      throw new IllegalStateException("cannot listen", e);
    }
    daemon("silent-accept-" + server.getLocalPort(), this::acceptLoop);
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Connections accepted and not yet closed by their client. */
  public int open() {
    return open.size();
  }

  /** The most connections ever open at once. */
  public int maxOpen() {
    return maxOpen.get();
  }

  /** Every connection ever accepted. */
  public int accepted() {
    return accepted.get();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        accepted.incrementAndGet();
        open.add(s);
        maxOpen.accumulateAndGet(open.size(), Math::max);
        daemon("silent-conn-" + server.getLocalPort(), () -> swallow(s));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  /** Reads and drops whatever the client sends until it closes (or resets) the connection. */
  private void swallow(Socket s) {
    byte[] buf = new byte[4096];
    try (s) {
      if (greeting.length > 0) {
        s.getOutputStream().write(greeting);
        s.getOutputStream().flush();
      }
      InputStream in = s.getInputStream();
      while (in.read(buf) != -1) {
        // never answer
      }
    } catch (IOException e) {
      // reset by the client: closed all the same
    } finally {
      open.remove(s);
    }
  }

  private static void daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}

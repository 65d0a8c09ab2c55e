package io.vigil.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Ports for listeners that tests close on purpose. A port from the kernel's ephemeral range (port 0)
 * may, once closed, become the source port of an outgoing connection, and a client connecting to
 * it can then connect to itself (TCP simultaneous open): a "refused" target that answers. Ports
 * below the ephemeral range (32768 on Linux) never are.
 *
 * <p>A port is handed out once per JVM. Most are closed again at once and bound later by whoever
 * asked (an app server, a private Redis or PostgreSQL, nginx) or kept closed on purpose (a refusing
 * target); handed out twice, two of them met on one port ("Address already in use" when the fault
 * matrix's four lanes started in parallel, in CI).
 */
public final class TestPorts {
  private static final int LOW = 20_000;
  private static final int HIGH = 32_000;
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private TestPorts() {}

  /** A bound listener on 127.0.0.1 outside the ephemeral range. */
  public static ServerSocket listen() throws IOException {
    IOException last = null;
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOW, HIGH);
      if (!HANDED_OUT.add(port)) {
        continue;
      }
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      try {
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 100);
        return s;
      } catch (IOException e) {
        s.close();
        last = e;
      }
    }
    throw new IOException("no free port in " + LOW + "-" + HIGH, last);
  }

  /**
   * Waits until a process started by the test accepts connections on 127.0.0.1:{@code port}; fails
   * at once when it exits, and after {@code timeout}, with {@code context} (its output) in the message.
   */
  public static void awaitListening(int port, Process owner, Duration timeout, Supplier<String> context)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!owner.isAlive()) {
        throw new AssertionError(owner.info().command().orElse("the process") + " exited with " + owner.exitValue()
            + " before listening on " + port + ": " + context.get());
      }
      if (accepts(InetAddress.getLoopbackAddress().getHostAddress(), port, Duration.ofMillis(200))) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("nothing listened on " + port + " within " + timeout.toMillis() + " ms: " + context.get());
  }

  /** True when {@code host:port} accepts a connection within {@code timeout}. */
  public static boolean accepts(String host, int port, Duration timeout) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A port on 127.0.0.1 where nothing listens: connections to it are refused. */
  public static int closed() {
    try (ServerSocket s = listen()) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

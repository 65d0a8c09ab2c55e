package io.vigil.hostile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Lowers the scheduling priority of the calling thread (Linux: {@code /proc/thread-self} names the
 * thread's id, and {@code renice -p} applies to that one thread).
 */
final class Nice {
  private Nice() {}

  /** Sets the calling thread's nice value to {@code n}; a no-op where the platform has no way to. */
  static void thisThread(int n) {
    try {
      Path self = Files.readSymbolicLink(Path.of("/proc/thread-self"));
      String tid = self.getFileName().toString();
      Process p = new ProcessBuilder("renice", "-n", Integer.toString(n), "-p", tid)
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("renice -n " + n + " -p " + tid + " failed");
      }
    } catch (IOException e) {
      // not Linux: the clients keep the test's priority
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

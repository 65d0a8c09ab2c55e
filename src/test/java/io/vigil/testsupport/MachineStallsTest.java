package io.vigil.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.testsupport.MachineStalls.Stall;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MachineStallsTest {
  private static long ms(long n) {
    return TimeUnit.MILLISECONDS.toNanos(n);
  }

  @Test
  void onlyThePartOfEachStallInsideTheWindowCounts() {
    MachineStalls s = new MachineStalls();
    s.record(new Stall(ms(100), ms(150)));   // inside
    s.record(new Stall(ms(180), ms(260)));   // half in
    s.record(new Stall(ms(400), ms(500)));   // outside
    assertEquals(ms(50 + 70), s.stalledWithin(ms(90), ms(250)));
    assertEquals(0, s.stalledWithin(ms(300), ms(390)));
  }

  @Test
  void stallsOlderThanTheKeepTimeAreForgotten() {
    MachineStalls s = new MachineStalls();
    s.record(new Stall(ms(0), ms(50)));
    s.record(new Stall(MachineStalls.KEEP + ms(100), MachineStalls.KEEP + ms(120)));
    assertEquals(0, s.stalledWithin(ms(0), ms(50)));
  }

  @Test
  void theWatchdogSeesTheWholeJvmStopped() throws Exception {
    long from = System.nanoTime();
    stopThisJvm(300);
    Thread.sleep(400);
    long stalled = MachineStalls.watched().stalledWithin(from, System.nanoTime());
    assertTrue(stalled >= ms(250), "SIGSTOP held the JVM 300 ms; the watchdog saw " + stalled / 1_000_000 + " ms");
  }

  @Test
  void aBusyThreadOfThisJvmIsNotAStall() {
    // What keeps a real block charged: a thread that spins does not delay the watchdog (two cores).
    long from = System.nanoTime();
    long end = from + ms(300);
    long spins = 0;
    while (System.nanoTime() < end) {
      spins++;
    }
    long stalled = MachineStalls.watched().stalledWithin(from, System.nanoTime());
    assertTrue(stalled < ms(100), "a busy test thread is not a stall of the JVM: " + stalled / 1_000_000 + " ms (" + spins + ")");
  }

  /**
   * Stops every thread of this JVM for {@code ms} (SIGSTOP, then SIGCONT from a shell that outlives
   * the stop), as a machine that gives the CPU to others does; returns once the stop has begun.
   */
  static void stopThisJvm(long ms) throws Exception {
    long pid = ProcessHandle.current().pid();
    new ProcessBuilder("/bin/sh", "-c", "kill -STOP " + pid + "; sleep " + ms / 1000.0 + "; kill -CONT " + pid)
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    Thread.sleep(50); // the STOP lands within these 50 ms; the sleep ends after the CONT
  }
}

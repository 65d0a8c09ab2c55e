package io.vigil.hostile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** What Linux's /proc says of a process (memory, CPU) and of the machine (load): the figures a test prints. */
final class ProcStatus {
  /** USER_HZ: the unit of utime and stime in /proc/PID/stat (100 on every Linux we run on; {@code getconf CLK_TCK}). */
  private static final double TICKS_PER_SECOND = 100;

  private ProcStatus() {}

  /** A {@code kB} line of /proc/PID/status ({@code VmRSS}, {@code VmHWM}), empty once the process is gone. */
  static OptionalLong kib(long pid, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith(field + ":")) {
          return OptionalLong.of(Long.parseLong(line.replaceAll("\\D", "")));
        }
      }
    } catch (IOException | NumberFormatException gone) {
      // the process exited: nothing to read
    }
    return OptionalLong.empty();
  }

  /** utime + stime in seconds (fields 14 and 15 of proc(5)), NaN once the process is gone. */
  static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // the name in (...) may hold spaces
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException gone) {
      return Double.NaN;
    }
  }

  /** This JVM's CPU time in seconds. */
  static double ownCpuSeconds() {
    return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toMillis() / 1000.0).orElse(Double.NaN);
  }

  /** The 1, 5 and 15 minute load averages: how busy the machine was besides the test. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  /** The share of the last 60 s in which some runnable task waited for a CPU (PSI, /proc/pressure/cpu). */
  static String cpuPressure() {
    try {
      String some = Files.readAllLines(Path.of("/proc/pressure/cpu")).get(0);
      return some.replaceAll(".*avg60=([0-9.]+).*", "$1") + "% (avg60)";
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  static String mib(OptionalLong kib) {
    return kib.isPresent() ? (kib.getAsLong() >> 10) + " MiB" : "?";
  }
}

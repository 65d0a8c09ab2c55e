package io.vigil.metrics;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes the series as Prometheus text (0.0.4) or OpenMetrics, byte for byte as the Prometheus
 * client's writers would (a test compares the two), straight into the stream: nothing is kept but
 * 16 KiB of scratch. The caller writes OpenMetrics' {@code # EOF}. A family's header is
 * written with its first series, so a family without series leaves no trace.
 */
public final class TextSink implements SeriesSink {
  private final OutputStream out;
  private final boolean openMetrics;
  private final byte[] digits = new byte[20];
  /** Bytes go out in chunks: a write per byte cost more than building the series did. */
  private final byte[] chunk = new byte[16 * 1024];
  private int used;
  private Family family;
  private boolean headerWritten;
  /** The {@code le} texts of the bounds last written, made once rather than per histogram. */
  private double[] leBounds;
  private String[] leTexts;

  private TextSink(OutputStream out, boolean openMetrics) {
    this.out = out;
    this.openMetrics = openMetrics;
  }

  /** Writes every family of {@code families} to {@code out}, Prometheus text or OpenMetrics. */
  public static void write(CheckFamilies families, OutputStream out, boolean openMetrics) throws IOException {
    TextSink sink = new TextSink(out, openMetrics);
    try {
      families.writeTo(sink);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    sink.flush();
  }

  @Override
  public void family(Family f) {
    family = f;
    headerWritten = false;
  }

  @Override
  public void sample(String[] labels, double value) {
    header();
    ascii(family.prometheusName());
    if (family.kind() == Family.Kind.COUNTER) {
      ascii("_total");
    }
    labels(labels, null);
    write(' ');
    number(value);
    write('\n');
  }

  @Override
  public void histogram(String[] labels, double[] bounds, long[] cumulative, double sum) {
    header();
    String name = family.prometheusName();
    if (bounds != leBounds) {
      leBounds = bounds;
      leTexts = new String[bounds.length + 1];
      for (int i = 0; i < bounds.length; i++) {
        leTexts[i] = Double.toString(bounds[i]);
      }
      leTexts[bounds.length] = "+Inf";
    }
    for (int i = 0; i <= bounds.length; i++) {
      ascii(name);
      ascii("_bucket");
      labels(labels, leTexts[i]);
      write(' ');
      whole(cumulative[i]);
      write('\n');
    }
    ascii(name);
    ascii("_count");
    labels(labels, null);
    write(' ');
    whole(cumulative[bounds.length]);
    write('\n');
    ascii(name);
    ascii("_sum");
    labels(labels, null);
    write(' ');
    number(sum);
    write('\n');
  }

  private void header() {
    if (headerWritten) {
      return;
    }
    headerWritten = true;
    String name = family.prometheusName();
    String type = family.kind().name().toLowerCase(java.util.Locale.ROOT);
    if (openMetrics) {
      line("# TYPE ", name, " ", type);
      line("# HELP ", name, " ", family.help());
    } else {
      String shown = family.kind() == Family.Kind.COUNTER ? name + "_total" : name;
      line("# HELP ", shown, " ", family.help());
      line("# TYPE ", shown, " ", type);
    }
  }

  private void line(String a, String b, String c, String d) {
    ascii(a);
    ascii(b);
    ascii(c);
    text(d);
    write('\n');
  }

  private void labels(String[] labels, String le) {
    if (labels.length == 0 && le == null) {
      return;
    }
    write('{');
    for (int i = 0; i < labels.length; i += 2) {
      if (i > 0) {
        write(',');
      }
      ascii(labels[i]);
      ascii("=\"");
      labelValue(labels[i + 1]);
      write('"');
    }
    if (le != null) {
      if (labels.length > 0) {
        write(',');
      }
      ascii("le=\"");
      ascii(le);
      write('"');
    }
    write('}');
  }

  /** As the Prometheus client writes a double: {@code +Inf}, {@code -Inf}, else {@link Double#toString}. */
  private void number(double v) {
    if (v == Double.POSITIVE_INFINITY) {
      ascii("+Inf");
    } else if (v == Double.NEGATIVE_INFINITY) {
      ascii("-Inf");
    } else if (v == Math.rint(v) && Math.abs(v) < 1e7 && !(v == 0 && 1 / v < 0)) {
      whole((long) v); // what Double.toString writes for a whole number below 10^7, without a String
      ascii(".0");
    } else {
      ascii(Double.toString(v));
    }
  }

  private void whole(long v) {
    if (v < 0) {
      write('-');
      v = -v;
    }
    int n = digits.length;
    do {
      digits[--n] = (byte) ('0' + v % 10);
      v /= 10;
    } while (v > 0);
    bytes(digits, n, digits.length - n);
  }

  /** A label value with {@code \}, {@code "} and newlines escaped, as both formats want. */
  private void labelValue(String v) {
    boolean plain = true;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c >= 0x80) {
        text(v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"));
        return;
      }
      plain &= c != '\\' && c != '"' && c != '\n';
    }
    if (plain) {
      ascii(v);
      return;
    }
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '\\' -> ascii("\\\\");
        case '"' -> ascii("\\\"");
        case '\n' -> ascii("\\n");
        default -> write(c);
      }
    }
  }

  /** Text that may hold non-ASCII characters, as UTF-8. */
  private void text(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    bytes(b, 0, b.length);
  }

  /**
   * Text known to be ASCII: names, label names, numbers. Copied in bulk (the JDK's Latin-1 copy):
   * a {@code charAt} per byte was most of a rendering's CPU.
   */
  @SuppressWarnings("deprecation") // getBytes(int, int, byte[], int) keeps the low byte: exact for ASCII
  private void ascii(String s) {
    int n = s.length();
    if (n > chunk.length - used) {
      drain();
      if (n > chunk.length) {
        for (int i = 0; i < n; i++) {
          write(s.charAt(i));
        }
        return;
      }
    }
    s.getBytes(0, n, chunk, used);
    used += n;
  }

  private void write(char c) {
    if (used == chunk.length) {
      drain();
    }
    chunk[used++] = (byte) c;
  }

  private void bytes(byte[] b, int off, int len) {
    while (len > 0) {
      if (used == chunk.length) {
        drain();
      }
      int n = Math.min(len, chunk.length - used);
      System.arraycopy(b, off, chunk, used, n);
      used += n;
      off += n;
      len -= n;
    }
  }

  private void drain() {
    try {
      out.write(chunk, 0, used);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    used = 0;
  }

  private void flush() throws IOException {
    out.write(chunk, 0, used);
    used = 0;
  }
}

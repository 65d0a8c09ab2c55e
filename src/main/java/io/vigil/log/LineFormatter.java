package io.vigil.log;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/** One line per record: {@code <instant> <LEVEL> <logger> <message>}; stack traces only for SEVERE. */
public final class LineFormatter extends Formatter {
  @Override
  public String format(LogRecord r) {
    StringBuilder b = new StringBuilder(160)
        .append(Instant.ofEpochMilli(r.getMillis())).append(' ')
        .append(level(r.getLevel())).append(' ')
        .append(r.getLoggerName()).append(' ')
        .append(formatMessage(r));
    Throwable t = r.getThrown();
    if (t != null) {
      if (r.getLevel().intValue() >= Level.SEVERE.intValue()) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        b.append('\n').append(w.toString().stripTrailing());
      } else {
        b.append(" error=\"").append(t).append('"');
      }
    }
    return b.append('\n').toString();
  }

  private static String level(Level l) {
    if (l == Level.SEVERE) {
      return "ERROR";
    }
    if (l == Level.WARNING) {
      return "WARN ";
    }
    return l.intValue() >= Level.INFO.intValue() ? "INFO " : "DEBUG";
  }
}

package io.vigil.check;

import io.vigil.model.Observation;

import io.vigil.model.Reason;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/** Maps what went wrong in a probe to the fixed list of reasons: pure, no I/O. */
public final class Failures {
  private Failures() {}

  /** The observation for a probe that failed with {@code error}: a reason and a one-line message. */
  public static Observation classify(Throwable error) {
    return Observation.down(reason(error), message(error));
  }

  /** The reason, judged from the whole cause chain (the outermost specific cause wins). */
  public static Reason reason(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      Reason r = direct(t);
      if (r != null) {
        return r;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return Reason.INTERNAL;
  }

  private static Reason direct(Throwable t) {
    String name = t.getClass().getName();
    String msg = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
    if (t instanceof UnknownHostException || msg.contains("failed to resolve") || msg.contains("unknownhost")) {
      return Reason.DNS;
    }
    if (t instanceof TimeoutException || name.endsWith("TimeoutException") || name.endsWith("ConnectTimeoutException")
        || msg.contains("timed out") || msg.contains("timeout")) {
      return Reason.TIMEOUT;
    }
    if (t instanceof ConnectException || t instanceof NoRouteToHostException || msg.contains("connection refused")) {
      return Reason.CONNECTION_REFUSED;
    }
    if (t instanceof SSLException || name.contains("Ssl") || name.contains("SSL")) {
      return Reason.TLS;
    }
    String sqlState = sqlState(t);
    if ("28000".equals(sqlState) || "28P01".equals(sqlState) || msg.startsWith("noauth") || msg.startsWith("wrongpass")
        || msg.contains("invalid password") || msg.contains("authentication failed")) {
      return Reason.AUTH;
    }
    if (sqlState != null && (sqlState.startsWith("57P") || sqlState.equals("25006") || sqlState.startsWith("08"))) {
      return Reason.UNAVAILABLE; // shutting down, starting up, read-only transaction, connection exceptions
    }
    if (msg.startsWith("readonly") || msg.startsWith("misconf") || msg.startsWith("oom") || msg.startsWith("loading")
        || msg.startsWith("masterdown")) {
      return Reason.UNAVAILABLE;
    }
    if (msg.contains("unknown resp type") || msg.contains("protocol") || msg.contains("invalid message format")) {
      return Reason.PROTOCOL; // the peer speaks something else (RESP or PostgreSQL parsers)
    }
    // A decoder reading past a garbage frame (the PostgreSQL client throws IndexOutOfBoundsException).
    if (name.contains("Decoder") || name.contains("Protocol") || t instanceof IndexOutOfBoundsException) {
      return Reason.PROTOCOL;
    }
    if (t instanceof ClosedChannelException || t instanceof java.io.EOFException || msg.contains("connection reset")
        || msg.contains("closed")) {
      return Reason.UNAVAILABLE; // the server went away mid-conversation (a restart, a cut)
    }
    return null;
  }

  /** PostgreSQL's SQLSTATE when {@code t} is a {@code PgException}. */
  private static String sqlState(Throwable t) {
    if (t instanceof io.vertx.pgclient.PgException pg) {
      return pg.getSqlState();
    }
    return null;
  }

  /** One line: the exception's own message, or its simple class name when it has none. */
  public static String message(Throwable error) {
    String m = error.getMessage();
    if (m == null || m.isBlank()) {
      Throwable cause = error.getCause();
      m = cause != null && cause.getMessage() != null ? cause.getMessage() : error.getClass().getSimpleName();
    }
    // One printable line: a garbage answer may be quoted in the message.
    m = m.replaceAll("[\\p{Cntrl}\\p{Cs}\\x{FFFD}]", "?").replace("??", "?").strip();
    return m.length() > 300 ? m.substring(0, 300) + "…" : m;
  }
}

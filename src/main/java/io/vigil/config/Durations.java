package io.vigil.config;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations written {@code 500ms}, {@code 5s}, {@code 1m}, {@code 2h}, and formats them back. */
public final class Durations {
  /**
   * The longest duration any key accepts. It keeps every derived figure (3 x interval, millisecond
   * timers, PostgreSQL's int {@code statement_timeout}) far from overflow.
   */
  public static final Duration MAX = Duration.ofHours(24);
  private static final Pattern FORMAT = Pattern.compile("([+-]?[0-9]+)(ms|s|m|h)");
  private static final BigInteger LIMIT_MS = BigInteger.valueOf(MAX.toMillis());

  private Durations() {}

  /**
   * The duration, or null when the text is not one. Units are matched without regard to case
   * ({@code 5S}); a magnitude beyond {@link #MAX} saturates just past it (either sign), so the
   * caller reports it as out of range instead of overflowing.
   */
  public static Duration parse(String text) {
    Matcher m = FORMAT.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return null;
    }
    String digits = m.group(1).replaceFirst("^[+-]?0*(?=[0-9])", "");
    int sign = m.group(1).startsWith("-") ? -1 : 1;
    if (digits.length() > 18) { // past any limit whatever the unit; spares BigInteger a megabyte of digits
      return MAX.plusMillis(1).multipliedBy(sign);
    }
    BigInteger ms = new BigInteger(digits).multiply(BigInteger.valueOf(switch (m.group(2)) {
      case "ms" -> 1L;
      case "s" -> 1000L;
      case "m" -> 60_000L;
      default -> 3_600_000L;
    }));
    if (ms.abs().compareTo(LIMIT_MS) > 0) {
      return MAX.plusMillis(1).multipliedBy(sign);
    }
    return Duration.ofMillis(sign * ms.longValueExact());
  }

  /** Formats in the largest unit that keeps the value whole: {@code 1500ms}, {@code 5s}, {@code 1m}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0 && ms != 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms != 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}

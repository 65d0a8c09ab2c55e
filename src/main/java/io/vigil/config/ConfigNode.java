package io.vigil.config;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One YAML mapping, read key by key. Every accessor reports a bad value to {@link Problems} with its
 * full path and returns the default, so reading goes on and all mistakes are found in one pass.
 * {@link #finish()} reports the keys nobody read: unknown keys are errors.
 */
public final class ConfigNode {
  private final String path;
  private final Map<String, Object> values;
  private final Problems problems;
  private final Set<String> read = new HashSet<>();

  private ConfigNode(String path, Map<String, Object> values, Problems problems) {
    this.path = path;
    this.values = values;
    this.problems = problems;
  }

  /** A node for {@code value}, which must be a mapping (null reads as an empty one). */
  public static ConfigNode of(String path, Object value, Problems problems) {
    if (value == null) {
      return new ConfigNode(path, Map.of(), problems);
    }
    if (!(value instanceof Map<?, ?> map)) {
      problems.add(path, "must be a mapping (was " + describe(value) + ")");
      return new ConfigNode(path, Map.of(), problems);
    }
    Map<String, Object> copy = new LinkedHashMap<>();
    map.forEach((k, v) -> copy.put(String.valueOf(k), v));
    return new ConfigNode(path, copy, problems);
  }

  public String path() {
    return path;
  }

  public Problems problems() {
    return problems;
  }

  /** The path of a key below this node. */
  public String pathOf(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  public boolean has(String key) {
    return values.containsKey(key) && values.get(key) != null;
  }

  /** The keys of this mapping, in file order. */
  public List<String> keys() {
    return List.copyOf(values.keySet());
  }

  /** The raw value, marked as read. */
  public Object raw(String key) {
    read.add(key);
    return values.get(key);
  }

  /** Records a problem at {@code key}. */
  public void problem(String key, String message) {
    problems.add(pathOf(key), message);
  }

  public ConfigNode child(String key) {
    return of(pathOf(key), raw(key), problems);
  }

  public String string(String key, String dflt) {
    Object v = raw(key);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Map || v instanceof List) {
      problem(key, "must be a string (was " + describe(v) + ")");
      return dflt;
    }
    return String.valueOf(v);
  }

  /** A string that must be present and not blank. */
  public String requiredString(String key) {
    String v = string(key, null);
    if (v == null || v.isBlank()) {
      if (!(raw(key) instanceof Map || raw(key) instanceof List)) {
        problem(key, "is required");
      }
      return null;
    }
    return v;
  }

  /** A duration such as {@code 5s} that must be greater than zero. */
  public Duration duration(String key, Duration dflt) {
    return duration(key, dflt, false);
  }

  /** A duration such as {@code 5s}, at most {@link Durations#MAX}; zero allowed when {@code allowZero}. */
  public Duration duration(String key, Duration dflt, boolean allowZero) {
    Object v = raw(key);
    if (v == null) {
      return dflt;
    }
    Duration d = checkedDuration(pathOf(key), v, allowZero);
    return d == null ? dflt : d;
  }

  /** {@code v} as a duration in range, or null once its problem at {@code at} is recorded. */
  private Duration checkedDuration(String at, Object v, boolean allowZero) {
    Duration d = v instanceof Map || v instanceof List ? null : Durations.parse(String.valueOf(v));
    if (d == null) {
      problems.add(at, quote(v) + " is not a duration (write 500ms, 5s, 1m)");
      return null;
    }
    if (d.isNegative() || (d.isZero() && !allowZero)) {
      problems.add(at, "must be " + (allowZero ? ">= 0" : "> 0") + " (was " + v + ")");
      return null;
    }
    if (d.compareTo(Durations.MAX) > 0) {
      problems.add(at, "must be at most " + Durations.format(Durations.MAX) + " (was " + v + ")");
      return null;
    }
    return d;
  }

  /** A list of at most {@code max} durations, each as {@link #duration(String, Duration)} reads one; null when absent or wrong. */
  public List<Duration> durationList(String key, int max) {
    List<String> items = stringList(key);
    if (items == null) {
      return null;
    }
    if (items.size() > max) {
      problem(key, "must have at most " + max + " entries (has " + items.size() + ")");
      return List.of();
    }
    List<Duration> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Duration d = checkedDuration(pathOf(key) + "[" + i + "]", items.get(i), false);
      if (d != null) {
        out.add(d);
      }
    }
    return out.size() == items.size() ? out : null;
  }

  /** An integer of at least {@code min}. */
  public int integer(String key, int dflt, int min) {
    return integer(key, dflt, min, Integer.MAX_VALUE);
  }

  /** An integer from {@code min} to {@code max}. */
  public int integer(String key, int dflt, int min, int max) {
    Integer v = optionalInteger(key, min, max);
    return v == null ? dflt : v;
  }

  public Integer optionalInteger(String key, int min) {
    return optionalInteger(key, min, Integer.MAX_VALUE);
  }

  /** An integer from {@code min} to {@code max}, or null when absent or wrong (reported). */
  public Integer optionalInteger(String key, int min, int max) {
    Object v = raw(key);
    if (v == null) {
      return null;
    }
    return inRange(pathOf(key), v, min, max, null);
  }

  /**
   * {@code v} as an int within bounds; a problem at {@code at} and null otherwise. {@code range}
   * names the bounds in the message ({@code an HTTP status 100-599}); null says {@code >= min}.
   */
  private Integer inRange(String at, Object v, int min, int max, String range) {
    BigInteger n = whole(v);
    if (n == null) {
      problems.add(at, quote(v) + " is not a whole number");
      return null;
    }
    boolean low = n.compareTo(BigInteger.valueOf(min)) < 0;
    if (low || n.compareTo(BigInteger.valueOf(max)) > 0) {
      problems.add(at, "must be " + (range != null ? range : low ? ">= " + min : "<= " + max) + " (was " + n + ")");
      return null;
    }
    return n.intValue();
  }

  public boolean bool(String key, boolean dflt) {
    Boolean b = optionalBool(key);
    return b == null ? dflt : b;
  }

  public Boolean optionalBool(String key) {
    Object v = raw(key);
    if (v == null) {
      return null;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    String s = String.valueOf(v).trim();
    if (s.equals("true") || s.equals("false")) {
      return Boolean.parseBoolean(s);
    }
    problem(key, quote(v) + " is not true or false");
    return null;
  }

  /**
   * One of {@code allowed}, matched without regard to case under {@link Locale#ROOT}, so that
   * {@code AUTHORIZED} reads as {@code authorized} whatever the JVM's language (Turkish would lower
   * I to a dotless i); the spelling in {@code allowed} is returned.
   */
  public String oneOf(String key, String dflt, List<String> allowed) {
    String v = string(key, null);
    if (v == null) {
      return dflt;
    }
    String wanted = v.trim().toLowerCase(Locale.ROOT);
    for (String a : allowed) {
      if (a.toLowerCase(Locale.ROOT).equals(wanted)) {
        return a;
      }
    }
    problem(key, quote(v) + " is not one of " + String.join(", ", allowed));
    return dflt;
  }

  /** A list of strings; null when absent. A single scalar is read as a list of one. */
  public List<String> stringList(String key) {
    Object v = raw(key);
    if (v == null) {
      return null;
    }
    if (v instanceof Map) {
      problem(key, "must be a list (was a mapping)");
      return null;
    }
    List<?> items = v instanceof List<?> l ? l : List.of(v);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Object item = items.get(i);
      if (item == null || item instanceof Map || item instanceof List) {
        problems.add(pathOf(key) + "[" + i + "]", "must be a string (was " + describe(item) + ")");
      } else {
        out.add(String.valueOf(item));
      }
    }
    return out;
  }

  /** A list of whole numbers from {@code min} to {@code max} ({@code range} says so); null when absent. */
  public List<Integer> intList(String key, int min, int max, String range) {
    Object v = raw(key);
    if (stringList(key) == null) {
      return null;
    }
    List<?> items = v instanceof List<?> l ? l : List.of(v);
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Object item = items.get(i);
      if (item == null || item instanceof Map || item instanceof List) {
        continue; // stringList reported it
      }
      Integer n = inRange(pathOf(key) + "[" + i + "]", item, min, max, range);
      if (n != null) {
        out.add(n);
      }
    }
    return out;
  }

  /** A mapping of scalar values, read as strings; empty when absent. */
  public Map<String, String> stringMap(String key) {
    ConfigNode child = child(key);
    Map<String, String> out = new LinkedHashMap<>();
    for (String k : child.keys()) {
      String v = child.string(k, null);
      if (v != null) {
        out.put(k, v);
      }
    }
    return out;
  }

  /**
   * Reports every key that no accessor read. Call once all known keys were read. Keys are matched as
   * written (YAML is case-sensitive); a known key written in other case gets a hint.
   */
  public void finish() {
    for (String key : values.keySet()) {
      if (!read.contains(key)) {
        String lower = key.toLowerCase(Locale.ROOT);
        problems.unknownKey(path, key, !lower.equals(key) && read.contains(lower) ? lower : null);
      }
    }
  }

  /** A whole number written in ASCII digits (a YAML int of any size, or a string), or null. */
  private static BigInteger whole(Object v) {
    if (v instanceof Integer || v instanceof Long) {
      return BigInteger.valueOf(((Number) v).longValue());
    }
    if (v instanceof BigInteger b) {
      return b;
    }
    if (v instanceof Number || v instanceof Boolean || v instanceof Map || v instanceof List) {
      return null;
    }
    String s = String.valueOf(v).trim();
    // ASCII only: Integer.parseInt would also take Arabic-Indic or full-width digits.
    return s.matches("[+-]?[0-9]{1,400}") ? new BigInteger(s) : null;
  }

  static String quote(Object v) {
    return "\"" + v + "\"";
  }

  static String describe(Object v) {
    if (v == null) {
      return "empty";
    }
    if (v instanceof Map) {
      return "a mapping";
    }
    if (v instanceof List) {
      return "a list";
    }
    return quote(v);
  }
}

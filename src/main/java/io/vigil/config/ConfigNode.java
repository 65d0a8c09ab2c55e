package io.vigil.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
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

  /** A duration such as {@code 5s}; zero allowed when {@code allowZero}. */
  public Duration duration(String key, Duration dflt, boolean allowZero) {
    Object v = raw(key);
    if (v == null) {
      return dflt;
    }
    Duration d = v instanceof Map || v instanceof List ? null : Durations.parse(String.valueOf(v));
    if (d == null) {
      problem(key, quote(v) + " is not a duration (write 500ms, 5s, 1m)");
      return dflt;
    }
    if (d.isNegative() || (d.isZero() && !allowZero)) {
      problem(key, "must be " + (allowZero ? ">= 0" : "> 0") + " (was " + v + ")");
      return dflt;
    }
    return d;
  }

  /** An integer of at least {@code min}. */
  public int integer(String key, int dflt, int min) {
    Integer v = optionalInteger(key, min);
    return v == null ? dflt : v;
  }

  public Integer optionalInteger(String key, int min) {
    Object v = raw(key);
    if (v == null) {
      return null;
    }
    Integer n = toInt(v);
    if (n == null) {
      problem(key, quote(v) + " is not a whole number");
      return null;
    }
    if (n < min) {
      problem(key, "must be >= " + min + " (was " + n + ")");
      return null;
    }
    return n;
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

  /** One of {@code allowed}, compared as written. */
  public String oneOf(String key, String dflt, List<String> allowed) {
    String v = string(key, null);
    if (v == null) {
      return dflt;
    }
    if (!allowed.contains(v)) {
      problem(key, quote(v) + " is not one of " + String.join(", ", allowed));
      return dflt;
    }
    return v;
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

  /** A list of whole numbers; null when absent. */
  public List<Integer> intList(String key) {
    List<String> raw = stringList(key);
    if (raw == null) {
      return null;
    }
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      Integer n = toInt(raw.get(i));
      if (n == null) {
        problems.add(pathOf(key) + "[" + i + "]", quote(raw.get(i)) + " is not a whole number");
      } else {
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

  /** Reports every key that no accessor read. Call once all known keys were read. */
  public void finish() {
    for (String key : values.keySet()) {
      if (!read.contains(key)) {
        problems.unknownKey(path, key);
      }
    }
  }

  private static Integer toInt(Object v) {
    if (v instanceof Integer i) {
      return i;
    }
    if (v instanceof Long || v instanceof Double || v instanceof Boolean || v instanceof Map
        || v instanceof List) {
      return null;
    }
    try {
      return Integer.parseInt(String.valueOf(v).trim());
    } catch (NumberFormatException e) {
      return null;
    }
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

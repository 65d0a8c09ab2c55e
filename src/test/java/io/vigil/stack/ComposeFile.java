package io.vigil.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code docker-compose.production.yml} parsed with SnakeYAML (anchors and aliases resolved), with
 * Compose's variable interpolation ({@code ${VAR}}, {@code ${VAR:-default}}, {@code $$} escapes).
 */
record ComposeFile(Map<String, Object> root) {
  static final Pattern VARIABLE = Pattern.compile("(?<!\\$)\\$\\{(\\w+)(?::?-([^}]*))?}");
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

  static ComposeFile read(Path path) {
    try {
      return new ComposeFile(new Yaml().load(Files.readString(path)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code KEY=value} lines of an env file, comments and blank lines skipped. */
  static Map<String, String> readEnvFile(Path path) {
    try {
      Map<String, String> env = new LinkedHashMap<>();
      for (String line : Files.readAllLines(path)) {
        String l = line.strip();
        if (!l.isEmpty() && !l.startsWith("#")) {
          String[] kv = l.split("=", 2);
          env.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
      }
      return env;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * This file with {@code override} merged in, as {@code docker compose -f this -f override} merges:
   * mappings key by key (the override's scalars win); {@code environment} and a service's
   * {@code networks} by name, list or mapping form alike; {@code volumes}, {@code ports} and
   * {@code secrets} by their target; {@code command}, {@code entrypoint} and a health check's
   * {@code test} replaced. Any other list in the override fails: these files use none, and a rule
   * guessed here would make the test pass on a merge Compose does differently.
   */
  ComposeFile with(ComposeFile override) {
    return new ComposeFile(merge(root, override.root, ""));
  }

  private static final Set<String> REPLACED = Set.of("command", "entrypoint", "test");
  private static final Set<String> BY_TARGET = Set.of("volumes", "ports", "secrets");

  private static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> over, String path) {
    Map<String, Object> out = new LinkedHashMap<>(base);
    over.forEach((key, value) -> {
      String at = path.isEmpty() ? key : path + "." + key;
      Object mine = out.get(key);
      boolean named = key.equals("environment") || (key.equals("networks") && path.startsWith("services."));
      if (mine == null || value == null) {
        out.put(key, value == null ? mine : value);
      } else if (named) {
        out.put(key, merge(byName(mine), byName(value), at));
      } else if (mine instanceof Map && value instanceof Map) {
        out.put(key, merge(map(mine), map(value), at));
      } else if (value instanceof List<?> l && REPLACED.contains(key)) {
        out.put(key, l);
      } else if (mine instanceof List<?> a && value instanceof List<?> b && BY_TARGET.contains(key)) {
        Map<String, Object> byTarget = new LinkedHashMap<>();
        a.forEach(v -> byTarget.put(target(v), v));
        b.forEach(v -> byTarget.put(target(v), v));
        out.put(key, new ArrayList<>(byTarget.values()));
      } else if (value instanceof List || mine instanceof List) {
        throw new AssertionError(at + ": no merge rule here for a list");
      } else {
        out.put(key, value);
      }
    });
    return out;
  }

  /** {@code [a, b]} or {@code [K=v]} as a mapping ({@code a: null}, {@code K: v}); a mapping as it is. */
  private static Map<String, Object> byName(Object node) {
    if (node instanceof List<?> l) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Object item : l) {
        String[] kv = String.valueOf(item).split("=", 2);
        out.put(kv[0], kv.length > 1 ? kv[1] : null);
      }
      return out;
    }
    return map(node);
  }

  /** Where a volume, port or secret lands in the container: what follows the first ':' (a volume's mode dropped). */
  private static String target(Object entry) {
    String[] parts = String.valueOf(entry).split(":");
    return parts.length > 1 ? parts[1] : parts[0];
  }

  Map<String, Object> services() {
    return map(root.get("services"));
  }

  Map<String, Object> service(String name) {
    return map(services().get(name));
  }

  /** Every {@code ${VAR}} the file reads, in any value. */
  Set<String> variables() {
    Set<String> names = new TreeSet<>();
    walk(root, "", (path, text) -> {
      Matcher m = VARIABLE.matcher(text);
      while (m.find()) {
        names.add(m.group(1));
      }
    });
    return names;
  }

  /** Calls {@code visitor} with the path and text of every scalar in the file. */
  static void walk(Object node, String path, BiConsumer<String, String> visitor) {
    if (node instanceof Map<?, ?> m) {
      m.forEach((k, v) -> walk(v, path.isEmpty() ? String.valueOf(k) : path + "." + k, visitor));
    } else if (node instanceof List<?> l) {
      for (int i = 0; i < l.size(); i++) {
        walk(l.get(i), path + "[" + i + "]", visitor);
      }
    } else if (node != null) {
      visitor.accept(path, String.valueOf(node));
    }
  }

  /** Compose interpolation of {@code text} with {@code env}; an unset variable without default is "". */
  static String interpolate(String text, Map<String, String> env) {
    Matcher m = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = env.get(m.group(1));
      if (value == null || value.isEmpty()) {
        value = m.group(2) != null ? m.group(2) : "";
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    return m.appendTail(out).toString().replace("$$", "$");
  }

  /** A service's {@code environment} (map or list form), interpolated. */
  Map<String, String> environment(String service, Map<String, String> env) {
    Object raw = service(service).get("environment");
    Map<String, String> out = new LinkedHashMap<>();
    if (raw instanceof Map<?, ?> m) {
      m.forEach((k, v) -> out.put(String.valueOf(k), interpolate(String.valueOf(v), env)));
    } else if (raw instanceof List<?> l) {
      for (Object item : l) {
        String[] kv = String.valueOf(item).split("=", 2);
        out.put(kv[0], kv.length > 1 ? interpolate(kv[1], env) : "");
      }
    }
    return out;
  }

  /** Compose durations: {@code 30s}, {@code 1m30s}, {@code 1.5s}, {@code 250ms}. */
  static Duration duration(Object value) {
    String text = String.valueOf(value);
    Matcher m = DURATION.matcher(text);
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find() && m.start() == end) {
      double n = Double.parseDouble(m.group(1));
      long unitMillis = switch (m.group(2)) {
        case "ms" -> 1;
        case "s" -> 1_000;
        case "m" -> 60_000;
        default -> 3_600_000;
      };
      total = total.plusMillis(Math.round(n * unitMillis));
      end = m.end();
    }
    if (end == 0 || end != text.length()) {
      throw new AssertionError("not a Compose duration: " + text);
    }
    return total;
  }

  /** Memory sizes as Compose writes them: {@code 512M}, {@code 1G}, {@code 64m}. */
  static long bytes(Object value) {
    String text = String.valueOf(value).toLowerCase();
    Matcher m = Pattern.compile("(\\d+)([kmg]?)b?").matcher(text);
    if (!m.matches()) {
      throw new AssertionError("not a memory size: " + value);
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "k" -> n << 10;
      case "m" -> n << 20;
      case "g" -> n << 30;
      default -> n;
    };
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object node) {
    if (!(node instanceof Map)) {
      throw new AssertionError("expected a mapping, found " + node);
    }
    return (Map<String, Object>) node;
  }

  /** A list of names, from the list form or the keys of the map form ({@code networks}, {@code depends_on}). */
  static List<String> names(Object node) {
    if (node instanceof Map<?, ?> m) {
      return new ArrayList<>(m.keySet().stream().map(String::valueOf).toList());
    }
    if (node instanceof List<?> l) {
      return l.stream().map(String::valueOf).toList();
    }
    return List.of();
  }
}

package io.vigil.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Collects configuration problems so that all are reported at once. */
public final class Problems {
  private final List<String> list = new ArrayList<>();
  private final Set<String> paths = new HashSet<>();

  /**
   * Records {@code path: message}. Only the first problem at a path is kept: a later one is a
   * consequence (an unset variable leaves the value empty, which would also read as "required").
   */
  public void add(String path, String message) {
    String where = path.isEmpty() ? "(top level)" : path;
    if (paths.add(where)) {
      list.add(where + ": " + message);
    }
  }

  /** Records {@code path: unknown key "key"}; each unknown key is its own problem. */
  public void unknownKey(String path, String key) {
    unknownKey(path, key, null);
  }

  /** As {@link #unknownKey(String, String)}, with the known key it resembles, when there is one. */
  public void unknownKey(String path, String key, String didYouMean) {
    String where = path.isEmpty() ? "(top level)" : path;
    if (paths.add(where + "." + key)) {
      list.add(where + ": unknown key \"" + key + "\""
          + (didYouMean == null ? "" : " (keys are lower case: \"" + didYouMean + "\")"));
    }
  }

  /** Whether a problem was recorded at {@code path}. */
  public boolean has(String path) {
    return paths.contains(path);
  }

  public boolean isEmpty() {
    return list.isEmpty();
  }

  public List<String> list() {
    return List.copyOf(list);
  }

  /** Throws a {@link ConfigException} when any problem was recorded. */
  public void throwIfAny() {
    throwIfAny(Secrets.none());
  }

  /**
   * Throws a {@link ConfigException} when any problem was recorded, each scrubbed first: a problem
   * may quote a value, and the value may be (or contain) a password.
   */
  public void throwIfAny(Secrets secrets) {
    if (!list.isEmpty()) {
      throw new ConfigException(list.stream().map(secrets::scrub).toList());
    }
  }
}

package io.vigil.config;

import java.util.ArrayList;
import java.util.List;

/** Collects configuration problems so that all are reported at once. */
public final class Problems {
  private final List<String> list = new ArrayList<>();

  /** Records {@code path: message}. */
  public void add(String path, String message) {
    list.add(path.isEmpty() ? message : path + ": " + message);
  }

  public boolean isEmpty() {
    return list.isEmpty();
  }

  public List<String> list() {
    return List.copyOf(list);
  }

  /** Throws a {@link ConfigException} when any problem was recorded. */
  public void throwIfAny() {
    if (!list.isEmpty()) {
      throw new ConfigException(list);
    }
  }
}

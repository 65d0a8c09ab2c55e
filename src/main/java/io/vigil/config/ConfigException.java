package io.vigil.config;

import java.util.List;

/** Every problem found in a configuration, each naming its path. Thrown once, after all are found. */
public final class ConfigException extends RuntimeException {
  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(String.join("\n", problems), null, false, false);
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}

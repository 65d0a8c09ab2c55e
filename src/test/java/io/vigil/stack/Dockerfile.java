package io.vigil.stack;

import io.vertx.core.json.JsonArray;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile read the way the builder reads it: continuation lines joined, comment lines dropped
 * (also inside a continuation), instructions grouped into stages, and global {@code ARG} defaults
 * substituted into {@code FROM}. Enough to check promises about a file without a Docker engine.
 */
record Dockerfile(Path path, Map<String, String> globalArgs, List<Stage> stages) {

  record Instruction(String keyword, String args, int line) {}

  /** One build stage: its name (or its index), its resolved base image, its instructions. */
  record Stage(String name, String base, List<Instruction> instructions) {
    List<Instruction> all(String keyword) {
      return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    Optional<Instruction> last(String keyword) {
      List<Instruction> found = all(keyword);
      return found.isEmpty() ? Optional.empty() : Optional.of(found.get(found.size() - 1));
    }

    /**
     * The exec-form command of the last {@code keyword} instruction (for HEALTHCHECK, the part after
     * {@code CMD}) as its arguments; fails when it is missing or not a JSON array (shell form).
     */
    List<String> execForm(String keyword) {
      String text = last(keyword).orElseThrow(() -> new AssertionError("stage " + name + " has no " + keyword)).args();
      if (keyword.equals("HEALTHCHECK")) {
        text = text.substring(text.indexOf("CMD") + 3);
      }
      try {
        return new JsonArray(text.strip()).stream().map(String::valueOf).toList();
      } catch (RuntimeException e) {
        throw new AssertionError(keyword + " is not exec form (a JSON array): " + text);
      }
    }

    String runText() {
      return String.join("\n", all("RUN").stream().map(Instruction::args).toList());
    }
  }

  private static final Pattern FROM = Pattern.compile("(?:--platform=\\S+\\s+)?(\\S+)(?:\\s+AS\\s+(\\S+))?", Pattern.CASE_INSENSITIVE);
  private static final Pattern VAR = Pattern.compile("\\$\\{?(\\w+)}?");

  static Dockerfile read(Path path) {
    try {
      return parse(path, Files.readAllLines(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Dockerfile parse(Path path, List<String> lines) {
    Map<String, String> globalArgs = new HashMap<>();
    List<Stage> stages = new ArrayList<>();
    List<Instruction> current = null;
    StringBuilder logical = new StringBuilder();
    int start = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      String trimmed = line.strip();
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && logical.isEmpty())) {
        continue;
      }
      if (logical.isEmpty()) {
        start = i + 1;
      }
      if (trimmed.endsWith("\\")) {
        logical.append(trimmed.substring(0, trimmed.length() - 1).strip()).append(" ");
        continue;
      }
      logical.append(trimmed);
      String text = logical.toString().strip();
      logical.setLength(0);
      String[] parts = text.split("\\s+", 2);
      Instruction ins = new Instruction(parts[0].toUpperCase(), parts.length > 1 ? parts[1].strip() : "", start);
      if (ins.keyword().equals("FROM")) {
        Matcher m = FROM.matcher(ins.args());
        if (!m.matches()) {
          throw new IllegalArgumentException(path + ":" + start + ": unreadable FROM: " + ins.args());
        }
        current = new ArrayList<>();
        String name = m.group(2) != null ? m.group(2) : Integer.toString(stages.size());
        stages.add(new Stage(name, substitute(m.group(1), globalArgs), current));
      } else if (current == null && ins.keyword().equals("ARG")) {
        String[] kv = ins.args().split("=", 2);
        globalArgs.put(kv[0], kv.length > 1 ? kv[1] : "");
      } else if (current != null) {
        current.add(ins);
      }
    }
    return new Dockerfile(path, Map.copyOf(globalArgs), List.copyOf(stages));
  }

  private static String substitute(String text, Map<String, String> args) {
    Matcher m = VAR.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(args.getOrDefault(m.group(1), m.group())));
    }
    return m.appendTail(out).toString();
  }

  Stage stage(String name) {
    return stages.stream().filter(s -> s.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(path + ": no stage named " + name + "; stages: " + stageNames()));
  }

  Stage runtime() {
    return stages.get(stages.size() - 1);
  }

  List<String> stageNames() {
    return stages.stream().map(Stage::name).toList();
  }
}

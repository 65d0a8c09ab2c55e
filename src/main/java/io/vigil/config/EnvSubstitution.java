package io.vigil.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${VAR}} and {@code ${VAR:-default}} in a config string from the environment. When
 * {@code VAR} is unset and {@code VAR_FILE} names a file, the file's content is used (Docker secrets).
 * Values read from files, and from variables named like credentials, are remembered as secrets.
 */
final class EnvSubstitution {
  private static final Pattern REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");
  private static final Pattern SECRET_NAME = Pattern.compile(
      "(?i).*(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|CREDENTIAL|AUTH).*");
  /** A secret is a line, not a file system: /dev/zero or a log file named by mistake stops here. */
  static final int MAX_FILE_BYTES = 64 * 1024;
  private final Map<String, String> env;
  private final List<String> secrets = new ArrayList<>();

  EnvSubstitution(Map<String, String> env) {
    this.env = env;
  }

  /** The values substituted so far that are secrets. */
  List<String> secrets() {
    return List.copyOf(secrets);
  }

  /** The substituted text; problems (unset variable, unreadable file) are reported at {@code path}. */
  String apply(String text, String path, Problems problems) {
    Matcher m = REF.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      String value = lookup(name, path, problems);
      if (value == null) {
        if (m.group(2) != null) {
          value = m.group(3);
        } else if (env.containsKey(name)) {
          value = ""; // set but empty is a value the operator chose
        } else {
          problems.add(path, "environment variable " + name + " is not set (and no " + name
              + "_FILE); write ${" + name + ":-default} to give a default");
          value = "";
        }
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private String lookup(String name, String path, Problems problems) {
    String v = env.get(name);
    if (v != null && !v.isEmpty()) {
      if (SECRET_NAME.matcher(name).matches()) {
        secrets.add(v);
      }
      return v;
    }
    String file = env.get(name + "_FILE");
    if (file == null || file.isEmpty()) {
      return null;
    }
    try {
      String content = BoundedText.read(Path.of(file), MAX_FILE_BYTES).strip();
      secrets.add(content);
      return content;
    } catch (BoundedText.TooLarge e) {
      problems.add(path, name + "_FILE names \"" + file + "\", which is larger than " + MAX_FILE_BYTES / 1024
          + " KiB (a secret file holds one value)");
    } catch (CharacterCodingException e) {
      problems.add(path, name + "_FILE names \"" + file + "\", which is not UTF-8 text");
    } catch (IOException | RuntimeException e) {
      problems.add(path, name + "_FILE names \"" + file + "\", which cannot be read");
    }
    return "";
  }
}

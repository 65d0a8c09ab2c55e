package io.vigil.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Finds the secrets in a whole config tree, valid or not, so that problems quoting a value never
 * print one: values of keys named like credentials ({@code password}, {@code token}), of credential
 * headers, and credentials inside any URL. Reading the tree rather than the parsed records also
 * covers checks too broken to parse.
 */
final class SecretValues {
  private static final Pattern SECRET_KEY = Pattern.compile("(?i)" + Secrets.CREDENTIAL_NAME);

  private SecretValues() {}

  static List<String> in(Object tree) {
    List<String> out = new ArrayList<>();
    walk(null, tree, out);
    return out;
  }

  private static void walk(String key, Object value, List<String> out) {
    if (value instanceof Map<?, ?> map) {
      boolean headers = "headers".equals(key);
      map.forEach((k, v) -> {
        String name = String.valueOf(k);
        if (v != null && !(v instanceof Map) && !(v instanceof List)) {
          String text = String.valueOf(v);
          if (headers && Secrets.isSecretHeader(name, List.of())) {
            out.addAll(Secrets.ofHeaderValue(text));
          } else if (!headers && SECRET_KEY.matcher(name.toLowerCase(Locale.ROOT)).matches()
              && !name.equals("key")) { // a redis check's "key" is the name of its probe key
            out.add(text);
          }
        }
        walk(name, v, out);
      });
      if (map.get("headers") instanceof Map<?, ?> h && map.get("secret-headers") instanceof List<?> declared) {
        declared.forEach(d -> h.forEach((n, v) -> {
          if (String.valueOf(n).equalsIgnoreCase(String.valueOf(d)) && v != null) {
            out.addAll(Secrets.ofHeaderValue(String.valueOf(v)));
          }
        }));
      }
    } else if (value instanceof List<?> list) {
      list.forEach(v -> walk(key, v, out));
    } else if (value instanceof String s && s.contains("://")) {
      out.addAll(Secrets.ofUri(s));
    }
  }
}

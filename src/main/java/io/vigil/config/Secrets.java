package io.vigil.config;

import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes credentials from text before it leaves the process. Two layers: the secret values the
 * configuration holds (passwords, tokens, secret header values, credentials in URLs), in the forms
 * they travel in (as written, URL-decoded and -encoded, JSON-escaped, Basic-auth encoded); and
 * patterns for credentials it never saw: the password of any {@code scheme://user:password@host},
 * the value of any parameter named like a credential ({@code ?password=}, {@code &token=},
 * {@code api_key=}, ...), {@code Bearer}/{@code Basic} credentials and the value of credential
 * headers ({@code X-Api-Key: ...}, {@code Cookie: ...}).
 */
public final class Secrets {
  static final String MASK = "****";
  private static final Pattern URI_PASSWORD = Pattern.compile("(?i)([a-z][a-z0-9+.-]*://[^/\\s:@?#]*:)[^@\\s/]*@");
  /** Suffixes of parameter names that carry a credential: {@code password}, {@code client_secret}, {@code X-Amz-Signature}. */
  static final String CREDENTIAL_NAME =
      "[a-z0-9_.-]*(?:password|passwd|pwd|pass|secret|token|key|auth|authorization|credentials?|signature|sig|sessionid|jwt)";
  private static final Pattern PARAM = Pattern.compile(
      "(?i)((?:^|(?<=[?&;\\s\"'(,{]))" + CREDENTIAL_NAME + "=)[^&#\\s\"'<>;,)}]*");
  private static final Pattern SCHEME_CREDENTIALS = Pattern.compile(
      "(?i)(\\b(?:bearer|basic|digest)\\s+)[a-z0-9._~+/=-]{6,}");
  private static final Pattern HEADER_VALUE = Pattern.compile(
      "(?i)((?>[\"']?\\b(?:proxy-authorization|authorization|set-cookie|cookie|x-api-key|api-key|x-auth-token|x-access-token)"
          + "[\"']?\\s*[:=]\\s*[\"']?(?:(?:bearer|basic|digest)\\s+)?))(?!\\*{4})[^\"'\\r\\n,}]+");
  /** Headers whose value is a credential even when the config does not say so. */
  private static final Set<String> SECRET_HEADERS = Set.of("authorization", "proxy-authorization", "cookie",
      "set-cookie", "x-api-key", "api-key", "x-auth-token", "x-access-token");
  private static final Pattern SECRET_HEADER_NAME =
      Pattern.compile("(?i).*(token|secret|password|passwd|api-?key|apikey|auth|cookie|session|credential|signature).*");
  private static final Secrets NONE = new Secrets(List.of());

  private final List<String> values;

  /** Secrets made of {@code values} (null and values under 3 characters are ignored). */
  public Secrets(Collection<String> values) {
    Set<String> forms = new LinkedHashSet<>();
    for (String s : values) {
      if (s != null && s.length() >= 3) {
        forms.addAll(formsOf(s));
      }
    }
    List<String> v = new ArrayList<>(forms);
    v.removeIf(s -> s.length() < 3);
    // Longest first so that a secret containing another is masked whole.
    v.sort(Comparator.comparingInt(String::length).reversed());
    this.values = List.copyOf(v);
  }

  /** No known values: the patterns alone. */
  public static Secrets none() {
    return NONE;
  }

  /** The text with every known secret and every credential the patterns find replaced by {@code ****}. */
  public String scrub(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out = text;
    for (String s : values) {
      if (out.contains(s)) {
        out = out.replace(s, MASK);
      }
    }
    out = maskCutTail(out);
    out = URI_PASSWORD.matcher(out).replaceAll("$1" + MASK + "@");
    out = PARAM.matcher(out).replaceAll("$1" + MASK);
    out = SCHEME_CREDENTIALS.matcher(out).replaceAll("$1" + MASK);
    return HEADER_VALUE.matcher(out).replaceAll("$1" + MASK);
  }

  /**
   * A message cut short ({@code …}, as probes cut long ones before they are scrubbed) may end in
   * the first characters of a secret, which the whole value no longer matches.
   */
  private String maskCutTail(String text) {
    if (!text.endsWith("…")) {
      return text;
    }
    String body = text.substring(0, text.length() - 1);
    for (String s : values) {
      for (int k = Math.min(s.length() - 1, body.length()); k >= 3; k--) {
        if (body.endsWith(s.substring(0, k))) {
          return body.substring(0, body.length() - k) + MASK + "…";
        }
      }
    }
    return text;
  }

  /**
   * A copy of a {@code data} map with every string in it scrubbed, keys included, through nested
   * maps and lists; numbers and booleans are kept as they are. Null gives an empty map.
   */
  public Map<String, Object> scrub(Map<String, ?> data) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (data != null) {
      data.forEach((k, v) -> out.put(scrub(k), scrubValue(v)));
    }
    return out;
  }

  private Object scrubValue(Object v) {
    if (v instanceof CharSequence s) {
      return scrub(s.toString());
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> out.put(scrub(String.valueOf(k)), scrubValue(x)));
      return out;
    }
    if (v instanceof Collection<?> c) {
      return c.stream().map(this::scrubValue).toList();
    }
    return v;
  }

  /**
   * A record written like its default {@code toString()}, with the {@code masked} components
   * replaced by {@code ****} (when set) and every other one scrubbed: for records holding passwords
   * or tokens, whatever components they gain later.
   */
  public String describe(Record r, String... masked) {
    Set<String> hidden = Set.of(masked);
    StringBuilder b = new StringBuilder(r.getClass().getSimpleName()).append('[');
    RecordComponent[] components = r.getClass().getRecordComponents();
    for (int i = 0; i < components.length; i++) {
      Object value;
      try {
        value = components[i].getAccessor().invoke(r);
      } catch (ReflectiveOperationException | RuntimeException e) {
        value = "?";
      }
      String name = components[i].getName();
      boolean empty = value == null || value.toString().isEmpty();
      b.append(i == 0 ? "" : ", ").append(name).append('=')
          .append(hidden.contains(name) && !empty ? MASK : scrub(String.valueOf(value)));
    }
    return b.append(']').toString();
  }

  /** A URI (or any text) with the credentials the patterns find masked, for display. */
  public static String redactUri(String uri) {
    return uri == null ? null : NONE.scrub(uri);
  }

  /** Whether a request header carries a credential: a known one, or a name that says so. */
  public static boolean isSecretHeader(String name, Collection<String> declaredSecret) {
    String lower = name.toLowerCase(Locale.ROOT);
    return SECRET_HEADERS.contains(lower) || SECRET_HEADER_NAME.matcher(lower).matches()
        || declaredSecret.stream().anyMatch(d -> d.equalsIgnoreCase(name));
  }

  /** The secret parts of a header value: the whole value, and the credentials after an auth scheme. */
  public static List<String> ofHeaderValue(String value) {
    List<String> s = new ArrayList<>();
    s.add(value);
    Matcher m = Pattern.compile("(?i)^\\s*(?:bearer|basic|digest|token)\\s+(\\S+)\\s*$").matcher(value);
    if (m.matches()) {
      s.add(m.group(1));
      decodeBasic(m.group(1)).ifPresent(s::add);
    }
    return s;
  }

  /** The password in a URI's user info, or null. */
  public static String uriPassword(String uri) {
    String info = userInfo(uri);
    if (info == null || !info.contains(":")) {
      return null;
    }
    return decode(info.substring(info.indexOf(':') + 1));
  }

  /**
   * Every credential a URL or URI carries: the password in its user info, the user info as Basic
   * auth would encode it, and the values of parameters named like credentials ({@code ?password=}).
   */
  public static List<String> ofUri(String uri) {
    List<String> s = new ArrayList<>();
    if (uri == null) {
      return s;
    }
    s.add(uriPassword(uri));
    String info = userInfo(uri);
    if (info != null && info.contains(":")) {
      s.add(Base64.getEncoder().encodeToString(decode(info).getBytes(StandardCharsets.UTF_8)));
    }
    Matcher m = PARAM.matcher(uri);
    while (m.find()) {
      String value = m.group().substring(m.group(1).length());
      s.add(value);
      s.add(decode(value));
    }
    return s;
  }

  /** The secrets of a server reached by URI: a password given apart, and any credential in the URI. */
  public static List<String> ofServer(String uri, String password) {
    List<String> s = new ArrayList<>();
    s.add(password);
    s.addAll(ofUri(uri));
    return s;
  }

  /** The forms a secret may take in output: as written, URL-decoded, URL-encoded, JSON-escaped. */
  private static List<String> formsOf(String s) {
    List<String> forms = new ArrayList<>(List.of(s, decode(s)));
    String encoded = URLEncoder.encode(s, StandardCharsets.UTF_8);
    forms.add(encoded);
    forms.add(encoded.replace("+", "%20"));
    forms.add(s.replace("\\", "\\\\").replace("\"", "\\\"").replace("/", "\\/"));
    forms.add(s.replace("\\", "\\\\").replace("\"", "\\\""));
    return forms;
  }

  private static String userInfo(String uri) {
    try {
      return URI.create(uri.trim()).getRawUserInfo();
    } catch (IllegalArgumentException e) {
      int scheme = uri.indexOf("://");
      int at = uri.indexOf('@', Math.max(scheme, 0));
      return scheme < 0 || at < 0 ? null : uri.substring(scheme + 3, at);
    }
  }

  private static java.util.Optional<String> decodeBasic(String credentials) {
    try {
      String decoded = new String(Base64.getDecoder().decode(credentials), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      return colon < 0 ? java.util.Optional.empty() : java.util.Optional.of(decoded.substring(colon + 1));
    } catch (IllegalArgumentException e) {
      return java.util.Optional.empty();
    }
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }
}

package io.vigil.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Removes credentials from text before it leaves the process: known secret values from the
 * configuration, and the password part of any {@code scheme://user:password@host} in the text.
 */
public final class Secrets {
  private static final Pattern URI_PASSWORD = Pattern.compile("(?i)([a-z][a-z0-9+.-]*://[^/\\s:@]*:)[^@\\s/]*@");
  private static final String MASK = "****";
  private final List<String> values;

  public Secrets(Collection<String> values) {
    List<String> v = new ArrayList<>();
    for (String s : values) {
      if (s != null && s.length() >= 3) {
        v.add(s);
      }
    }
    // Longest first so that a secret containing another is masked whole.
    v.sort(Comparator.comparingInt(String::length).reversed());
    this.values = List.copyOf(v);
  }

  public static Secrets none() {
    return new Secrets(List.of());
  }

  /** The text with every known secret and every URI password replaced by {@code ****}. */
  public String scrub(String text) {
    if (text == null) {
      return null;
    }
    String out = URI_PASSWORD.matcher(text).replaceAll("$1" + MASK + "@");
    for (String s : values) {
      out = out.replace(s, MASK);
    }
    return out;
  }

  /** The password in a URI's user info, or null. */
  public static String uriPassword(String uri) {
    try {
      String info = URI.create(uri).getRawUserInfo();
      if (info == null || !info.contains(":")) {
        return null;
      }
      String p = info.substring(info.indexOf(':') + 1);
      return java.net.URLDecoder.decode(p, java.nio.charset.StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The secrets of a server reached by URI: a password given apart, and any password inside the URI. */
  public static List<String> ofServer(String uri, String password) {
    List<String> s = new ArrayList<>();
    s.add(password);
    if (uri != null) {
      s.add(uriPassword(uri));
    }
    return s;
  }

  /** A URI with the password part of its user info masked, for display. */
  public static String redactUri(String uri) {
    return uri == null ? null : URI_PASSWORD.matcher(uri).replaceAll("$1" + MASK + "@");
  }
}

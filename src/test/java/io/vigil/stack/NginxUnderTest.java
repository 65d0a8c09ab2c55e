package io.vigil.stack;

import io.vigil.testsupport.TestPorts;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The repository's nginx config run for real by Debian's nginx: {@code nginx/} copied into a prefix
 * directory, the site template rendered as the official image's envsubst step renders it (only the
 * variables given are replaced), a self-signed certificate made with openssl, {@code nginx -t},
 * then nginx in the foreground until {@link #close()}.
 */
final class NginxUnderTest implements AutoCloseable {
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)}");
  private static final String ETC = "/etc/nginx/";
  private final Path prefix;
  private final Process process;
  private final String testOutput;

  private NginxUnderTest(Path prefix, Process process, String testOutput) {
    this.prefix = prefix;
    this.process = process;
    this.testOutput = testOutput;
  }

  static String binary() {
    return Stream.of("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx").filter(p -> Files.isExecutable(Path.of(p)))
        .findFirst().orElseThrow(() -> new AssertionError("nginx is not installed: apt-get install nginx (bash .ci/run does it)"));
  }

  /** Renders the config with {@code variables} (TLS_CERT, TLS_KEY, NGINX_CACHE_DIR are set here), tests it, starts it. */
  static NginxUnderTest start(Map<String, String> variables, int httpsPort) throws IOException, InterruptedException {
    return start(variables, httpsPort, Map.of());
  }

  /**
   * The same, with {@code overlays} (a path under /etc/nginx, the repository file mounted there) put
   * in place first, as a compose file's bind mounts of single files put them.
   */
  static NginxUnderTest start(Map<String, String> variables, int httpsPort, Map<String, Path> overlays)
      throws IOException, InterruptedException {
    String nginx = binary();
    Path prefix = Files.createTempDirectory("vigil-nginx-");
    // Workers run as nobody when the master is root: they must reach the cache directory.
    Files.setPosixFilePermissions(prefix, PosixFilePermissions.fromString("rwxr-xr-x"));
    copyTree(Path.of("nginx"), prefix);
    for (Map.Entry<String, Path> o : overlays.entrySet()) {
      Files.copy(o.getValue(), prefix.resolve(o.getKey()), StandardCopyOption.REPLACE_EXISTING);
    }
    Files.copy(Path.of("/etc/nginx/mime.types"), prefix.resolve("mime.types"));
    Files.createDirectories(prefix.resolve("conf.d"));
    Path cert = prefix.resolve("tls.crt");
    Path key = prefix.resolve("tls.key");
    run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key.toString(), "-out", cert.toString()));
    Map<String, String> all = new java.util.HashMap<>(variables);
    all.put("TLS_CERT", cert.toString());
    all.put("TLS_KEY", key.toString());
    all.put("NGINX_CACHE_DIR", prefix.resolve("cache").toString());
    for (Path template : Files.newDirectoryStream(prefix.resolve("templates"), "*.template")) {
      String name = template.getFileName().toString().replace(".template", "");
      Files.writeString(prefix.resolve("conf.d").resolve(name), render(Files.readString(template), all));
    }
    List<String> base = List.of(nginx, "-p", prefix + "/", "-c", prefix.resolve("nginx.conf").toString());
    String testOutput = run(concat(base, "-t"));
    Process process = new ProcessBuilder(concat(base, "-g", "daemon off;"))
        .redirectErrorStream(true).redirectOutput(prefix.resolve("nginx.log").toFile()).start();
    NginxUnderTest n = new NginxUnderTest(prefix, process, testOutput);
    TestPorts.awaitListening(httpsPort, process, Duration.ofSeconds(15), n::log);
    return n;
  }

  /**
   * The nginx service's bind mounts of single repository files over another file of nginx/, as
   * overlays for {@link #start(Map, int, Map)}: {@code ./nginx/a/b:/etc/nginx/c/d:ro} gives
   * {@code c/d -> nginx/a/b} (and {@code ./nginx/nginx.conf:/etc/nginx/nginx.conf}, the file itself, nothing).
   */
  static Map<String, Path> fileMounts(ComposeFile compose) {
    Map<String, Path> out = new TreeMap<>();
    for (String volume : ComposeFile.names(compose.service("nginx").get("volumes"))) {
      String[] parts = volume.split(":");
      Path source = Path.of(parts[0]).normalize();
      if (parts.length > 1 && parts[1].startsWith(ETC) && Files.isRegularFile(source)) {
        String target = parts[1].substring(ETC.length());
        if (!source.equals(Path.of("nginx", target))) {
          out.put(target, source);
        }
      }
    }
    return out;
  }

  /** The site templates nginx renders: the repository's {@code nginx/templates/*.template}, {@code overlays} in place. */
  static List<Path> templates(Map<String, Path> overlays) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> templates = Files.newDirectoryStream(Path.of("nginx/templates"), "*.template")) {
      for (Path t : templates) {
        out.add(overlays.getOrDefault("templates/" + t.getFileName(), t));
      }
    }
    return out;
  }

  /** envsubst as the official image runs it: only the named variables are replaced. */
  static String render(String template, Map<String, String> variables) {
    Matcher m = VARIABLE.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = variables.get(m.group(1));
      if (value == null) {
        throw new AssertionError("the template reads ${" + m.group(1) + "}, which the test does not set");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    return m.appendTail(out).toString();
  }

  String testOutput() {
    return testOutput;
  }

  Path prefix() {
    return prefix;
  }

  Path certificate() {
    return prefix.resolve("tls.crt");
  }

  Path key() {
    return prefix.resolve("tls.key");
  }

  String log() {
    try {
      return Files.readString(prefix.resolve("nginx.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Runs a command to completion; fails with its output when it exits non-zero. */
  static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  private static List<String> concat(List<String> base, String... more) {
    return Stream.concat(base.stream(), Stream.of(more)).toList();
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy(); // SIGTERM: nginx's fast shutdown, workers included
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}

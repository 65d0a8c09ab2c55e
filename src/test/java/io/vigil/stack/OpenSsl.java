package io.vigil.stack;

import io.vigil.testsupport.TestPorts;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code openssl s_client} handshakes, for protocol versions the JDK refuses to speak (TLS 1.1 is
 * disabled in its java.security), and a control {@code s_server} to prove the client can.
 */
final class OpenSsl {
  /** A finished command: its exit status and merged output. */
  record Exec(int exit, String output) {}

  private OpenSsl() {}

  /** A handshake with the server on {@code port} using the given s_client options. */
  static Exec client(int port, String... options) throws IOException, InterruptedException {
    List<String> cmd = Stream.concat(
        Stream.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-servername", "localhost"),
        Stream.of(options)).toList();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close(); // end of input: s_client closes after the handshake
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("openssl s_client hung: " + out);
    }
    return new Exec(p.exitValue(), out);
  }

  /** The same client against {@code openssl s_server} offering only {@code protocol} at security level 0. */
  static Exec clientAgainstControlServer(Path cert, Path key, String protocol) throws IOException, InterruptedException {
    int port = TestPorts.closed();
    Process server = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-cert", cert.toString(),
        "-key", key.toString(), protocol, "-cipher", "DEFAULT@SECLEVEL=0", "-quiet")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      TestPorts.awaitListening(port, server, Duration.ofSeconds(5), () -> "openssl s_server");
      return client(port, protocol, "-cipher", "DEFAULT@SECLEVEL=0");
    } finally {
      server.destroyForcibly();
      server.waitFor(5, TimeUnit.SECONDS);
    }
  }
}

package io.vigil.stack;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** Clients that trust exactly the test's self-signed certificate. */
final class TlsClient {
  /** An HTTP/1.1 response read off a raw socket. */
  record RawResponse(int status, Map<String, String> headers, String body) {}

  private final SSLContext context;

  TlsClient(Path certificate) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(certificate)) {
      trust.setCertificateEntry("nginx", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
  }

  HttpClient http(HttpClient.Version version) {
    return HttpClient.newBuilder().sslContext(context).version(version).connectTimeout(Duration.ofSeconds(3)).build();
  }

  /** A handshake offering only {@code protocol}; the caller reads the session. */
  SSLSocket handshake(int port, String protocol) throws IOException {
    SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
    s.setEnabledProtocols(new String[] {protocol});
    s.setSoTimeout(5000);
    s.startHandshake();
    return s;
  }

  /**
   * GET over a fresh TLS connection whose source address is {@code from} (any 127.0.0.0/8 address
   * works on Linux loopback), so nginx sees that client address.
   */
  RawResponse get(InetAddress from, int port, String path) throws IOException {
    try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port, from, 0)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      String text = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int split = text.indexOf("\r\n\r\n");
      String[] head = text.substring(0, split).split("\r\n");
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < head.length; i++) {
        String[] kv = head[i].split(":", 2);
        headers.merge(kv[0].strip().toLowerCase(), kv[1].strip(), (a, b) -> a + ", " + b);
      }
      return new RawResponse(Integer.parseInt(head[0].split(" ")[1]), headers, text.substring(split + 4));
    }
  }
}

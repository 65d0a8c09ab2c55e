package io.vigil.check;

import io.vigil.model.Observation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.impl.NoStackTraceTimeoutException;
import io.vigil.model.Reason;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class FailuresTest {

  @Test
  void exceptionsMapToTheFixedReasons() {
    assertEquals(Reason.CONNECTION_REFUSED, Failures.reason(new ConnectException("Connection refused: /127.0.0.1:1")));
    assertEquals(Reason.TIMEOUT, Failures.reason(new NoStackTraceTimeoutException("The timeout period of 2000ms has been exceeded")));
    assertEquals(Reason.TIMEOUT, Failures.reason(new TimeoutException()));
    assertEquals(Reason.DNS, Failures.reason(new UnknownHostException("no-such-host.invalid")));
    assertEquals(Reason.TLS, Failures.reason(new SSLHandshakeException("PKIX path building failed")));
    assertEquals(Reason.AUTH, Failures.reason(new RuntimeException("WRONGPASS invalid username-password pair")));
    assertEquals(Reason.UNAVAILABLE, Failures.reason(new RuntimeException("READONLY You can't write against a read only replica.")));
    assertEquals(Reason.UNAVAILABLE, Failures.reason(new IOException("Connection reset by peer")));
    assertEquals(Reason.PROTOCOL, Failures.reason(new IllegalStateException("ILLEGAL_STATE Unknown RESP type ?")));
    assertEquals(Reason.PROTOCOL, Failures.reason(new IndexOutOfBoundsException("readerIndex: -104606, writerIndex: 31")));
    assertEquals(Reason.INTERNAL, Failures.reason(new IllegalArgumentException("something else")));
  }

  @Test
  void theCauseChainIsSearched() {
    assertEquals(Reason.CONNECTION_REFUSED, Failures.reason(new RuntimeException("wrapped", new ConnectException("Connection refused"))));
  }

  @Test
  void messagesAreOnePrintableLine() {
    Observation o = Failures.classify(new IllegalStateException("bad\u0000\u0001 bytes\nsecond line"));
    assertEquals("bad? bytes?second line", o.message());
    assertEquals("IllegalStateException", Failures.message(new IllegalStateException()));
  }
}

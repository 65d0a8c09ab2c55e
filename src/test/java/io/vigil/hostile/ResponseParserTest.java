package io.vigil.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The hostile clients and the prober count answers with this parser: each framing, fed in pieces. */
class ResponseParserTest {

  @Test
  void aContentLengthBodyEndsAfterItsLastByteEvenWhenFedOneByteAtATime() {
    String response = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\ncontent-type: text/plain\r\n\r\nhello";
    ResponseParser p = new ResponseParser();
    byte[] bytes = response.getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < bytes.length - 1; i++) {
      assertFalse(p.feed(ByteBuffer.wrap(bytes, i, 1)), "complete too early at byte " + i);
    }
    assertTrue(p.feed(ByteBuffer.wrap(bytes, bytes.length - 1, 1)));
    assertEquals(200, p.status());
    assertEquals(5, p.bodyBytes());
    assertFalse(p.closesConnection());
  }

  @Test
  void aChunkedBodyEndsAtTheZeroChunkAndItsTrailerAndLeavesTheNextBytesUnread() {
    ByteBuffer in = ascii("HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        + "4;ext=1\r\nbusy\r\n3\r\n!!!\r\n0\r\nX-Trailer: 1\r\n\r\nNEXT");
    ResponseParser p = new ResponseParser();
    assertTrue(p.feed(in));
    assertEquals(503, p.status());
    assertEquals(7, p.bodyBytes());
    assertTrue(p.closesConnection());
    assertEquals("NEXT", StandardCharsets.US_ASCII.decode(in).toString());
  }

  @Test
  void aBodyWithoutLengthEndsOnlyWithTheConnection() {
    ResponseParser p = new ResponseParser();
    assertFalse(p.feed(ascii("HTTP/1.0 200 OK\r\n\r\npartial")));
    assertTrue(p.endOfStream());
    assertTrue(p.closesConnection());
  }

  @Test
  void aConnectionClosedMidBodyIsNotACompleteAnswer() {
    ResponseParser p = new ResponseParser();
    assertFalse(p.feed(ascii("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")));
    assertTrue(p.headRead());
    assertFalse(p.endOfStream());
  }

  private static ByteBuffer ascii(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
  }
}

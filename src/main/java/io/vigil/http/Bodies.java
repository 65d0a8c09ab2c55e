package io.vigil.http;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Response bodies that many connections share. They live in one direct (off-heap) buffer each:
 * Netty writes a heap buffer to a socket by first copying it into a direct one, per connection and
 * per write, so 1,000 clients of a 5 MB {@code /metrics} body would cost 5 GB; a direct body is
 * written from where it is, and the connections only hold slices of it. The memory is a JDK
 * {@link ByteBuffer}, freed by the garbage collector once no connection refers to it (Vert.x wraps
 * foreign buffers so that Netty never releases them).
 */
final class Bodies {
  private Bodies() {}

  static Buffer direct(byte[] bytes) {
    ByteBuffer b = ByteBuffer.allocateDirect(bytes.length);
    b.put(bytes).flip();
    return BufferInternal.buffer(Unpooled.wrappedBuffer(b));
  }

  static Buffer direct(String text) {
    return direct(text.getBytes(StandardCharsets.UTF_8));
  }

  /** What writes a body to a stream. */
  interface Writer {
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * A body written straight into direct memory, {@code sizeHint} bytes to start with. A 5 MB
   * {@code /metrics} body built on the heap and then copied was two humongous arrays per rendering,
   * each starting a G1 concurrent cycle whose pauses the probes met.
   */
  static Buffer written(int sizeHint, Writer writer) throws IOException {
    DirectOutput out = new DirectOutput(Math.max(sizeHint, 1024));
    writer.writeTo(out);
    ByteBuffer b = out.buffer.flip();
    return BufferInternal.buffer(Unpooled.wrappedBuffer(b));
  }

  /** An output stream into a direct buffer that doubles when full. */
  private static final class DirectOutput extends OutputStream {
    ByteBuffer buffer;

    DirectOutput(int capacity) {
      buffer = ByteBuffer.allocateDirect(capacity);
    }

    @Override
    public void write(int b) {
      room(1);
      buffer.put((byte) b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      room(len);
      buffer.put(b, off, len);
    }

    private void room(int more) {
      if (buffer.remaining() < more) {
        ByteBuffer bigger = ByteBuffer.allocateDirect(Math.max(buffer.capacity() * 2, buffer.position() + more));
        bigger.put(buffer.flip());
        buffer = bigger;
      }
    }
  }
}

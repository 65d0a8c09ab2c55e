package io.vigil.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a text file of at most a given size, strictly as UTF-8. The size the file system reports is
 * not trusted ({@code /dev/zero} reports 0 and never ends): a config or secret file named by
 * mistake gives a problem, not an OutOfMemoryError.
 */
final class BoundedText {
  /** The file is larger than the limit. */
  static final class TooLarge extends IOException {
    TooLarge() {
      super(null, null);
    }
  }

  private BoundedText() {}

  /** The content; {@link TooLarge}, {@link java.nio.charset.CharacterCodingException} or another IOException otherwise. */
  static String read(Path file, int maxBytes) throws IOException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(maxBytes + 1);
    }
    if (bytes.length > maxBytes) {
      throw new TooLarge();
    }
    return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
  }
}

package io.vigil.model;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * A list kept in chunks of {@value #CHUNK} elements, whose versions share the chunks they did not
 * change. The board publishes a snapshot per result: copying the whole status list for each (8 KB at
 * 2,000 checks, 400 results a second) was a sixth of the monitor's allocations under load; a version
 * that changed one check copies one chunk and the small array of chunks.
 *
 * <p>{@link Draft} is the writable side, owned by one thread; {@link Draft#publish()} returns an
 * immutable {@link Version} that later writes to the draft never change.
 */
public final class SharedChunks {
  static final int SHIFT = 6;
  static final int CHUNK = 1 << SHIFT;
  private static final int MASK = CHUNK - 1;

  private SharedChunks() {}

  /** One immutable version. Elements are never null. */
  public static final class Version<T> extends AbstractList<T> implements RandomAccess {
    private final Object[][] chunks;
    private final int size;

    private Version(Object[][] chunks, int size) {
      this.chunks = chunks;
      this.size = size;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T get(int index) {
      Objects.checkIndex(index, size);
      return (T) chunks[index >>> SHIFT][index & MASK];
    }

    @Override
    public int size() {
      return size;
    }
  }

  /** The writable side: set, add, then publish a version. Not thread-safe. */
  public static final class Draft<T> {
    private Object[][] chunks = new Object[0][];
    /** Chunks (and the array of chunks) written since the last publish: no version sees them yet. */
    private boolean[] ownChunk = new boolean[0];
    private boolean ownArray = true;
    private int size;

    public int size() {
      return size;
    }

    @SuppressWarnings("unchecked")
    public T get(int index) {
      Objects.checkIndex(index, size);
      return (T) chunks[index >>> SHIFT][index & MASK];
    }

    public void set(int index, T value) {
      Objects.checkIndex(index, size);
      writable(index >>> SHIFT)[index & MASK] = value;
    }

    /** Appends {@code value} (null until {@link #set}, as a placeholder; a version may not hold one). */
    public void add(T value) {
      int c = size >>> SHIFT;
      if (c == chunks.length) {
        chunks = Arrays.copyOf(chunks, c + 1);
        ownArray = true;
        chunks[c] = new Object[CHUNK];
        ownChunk = Arrays.copyOf(ownChunk, c + 1);
        ownChunk[c] = true;
      }
      size++;
      writable(c)[size - 1 & MASK] = value;
    }

    /** An immutable version of the list as it is now; fails if an element is still null. */
    public Version<T> publish() {
      for (int c = 0; c < ownChunk.length; c++) {
        if (ownChunk[c]) {
          for (int i = c << SHIFT, end = Math.min(size, i + CHUNK); i < end; i++) {
            Objects.requireNonNull(chunks[c][i & MASK], "element " + i);
          }
        }
      }
      Arrays.fill(ownChunk, false);
      ownArray = false;
      return new Version<>(chunks, size);
    }

    private Object[] writable(int c) {
      if (!ownChunk[c]) {
        ownArray();
        chunks[c] = chunks[c].clone();
        ownChunk[c] = true;
      }
      return chunks[c];
    }

    private void ownArray() {
      if (!ownArray) {
        chunks = chunks.clone();
        ownArray = true;
      }
    }
  }

  /** True when {@code list} is a published version: immutable, so it need not be copied. */
  public static boolean isVersion(List<?> list) {
    return list instanceof Version;
  }
}

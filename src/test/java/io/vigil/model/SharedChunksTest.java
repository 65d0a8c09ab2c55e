package io.vigil.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class SharedChunksTest {

  /**
   * Any mix of adds, sets and publishes, checked against a plain list: every published version keeps
   * the elements it had when published, whatever the draft did after it (the property the board's
   * snapshots rely on), and equals a copy taken at that moment.
   */
  @Property(tries = 300)
  void everyPublishedVersionKeepsWhatItHadWhenPublished(
      @ForAll @Size(max = 400) List<@IntRange(min = 0, max = 999) Integer> ops) {
    SharedChunks.Draft<Integer> draft = new SharedChunks.Draft<>();
    List<Integer> model = new ArrayList<>();
    List<List<Integer>> versions = new ArrayList<>();
    List<List<Integer>> expected = new ArrayList<>();
    for (int op : ops) {
      if (op % 10 == 0) {
        versions.add(draft.publish());
        expected.add(List.copyOf(model));
      } else if (op % 10 < 5 || model.isEmpty()) {
        draft.add(op);
        model.add(op);
      } else {
        int at = op % model.size();
        draft.set(at, -op);
        model.set(at, -op);
      }
      assertEquals(model.size(), draft.size());
    }
    versions.add(draft.publish());
    expected.add(List.copyOf(model));
    assertEquals(expected, versions);
    for (int i = 0; i < versions.size(); i++) {
      assertEquals(expected.get(i).hashCode(), versions.get(i).hashCode());
      assertTrue(SharedChunks.isVersion(versions.get(i)));
    }
  }

  @Test
  void aVersionIsImmutableAndChecksItsIndex() {
    SharedChunks.Draft<String> draft = new SharedChunks.Draft<>();
    for (int i = 0; i < SharedChunks.CHUNK + 3; i++) {
      draft.add("c" + i);
    }
    List<String> v = draft.publish();
    assertEquals("c" + SharedChunks.CHUNK, v.get(SharedChunks.CHUNK));
    assertThrows(IndexOutOfBoundsException.class, () -> v.get(SharedChunks.CHUNK + 3));
    assertThrows(IndexOutOfBoundsException.class, () -> v.get(-1));
    assertThrows(UnsupportedOperationException.class, () -> v.set(0, "x"));
    assertThrows(UnsupportedOperationException.class, () -> v.add("x"));
    assertThrows(IndexOutOfBoundsException.class, () -> draft.set(SharedChunks.CHUNK + 3, "x"));
  }

  @Test
  void aPlaceholderNeverReachesAVersion() {
    SharedChunks.Draft<String> draft = new SharedChunks.Draft<>();
    draft.add("a");
    draft.add(null);
    NullPointerException e = assertThrows(NullPointerException.class, draft::publish);
    assertEquals("element 1", e.getMessage());
    draft.set(1, "b");
    assertEquals(List.of("a", "b"), draft.publish());
  }

  @Test
  void aSnapshotKeepsAVersionAsItIsAndCopiesAnyOtherList() {
    SharedChunks.Draft<String> draft = new SharedChunks.Draft<>();
    draft.add("a");
    List<String> v = draft.publish();
    assertTrue(SharedChunks.isVersion(v));
    assertTrue(!SharedChunks.isVersion(new ArrayList<>(v)));
  }
}

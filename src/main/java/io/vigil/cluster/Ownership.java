package io.vigil.cluster;

import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * Which member runs a check: rendezvous (highest random weight) hashing of the check's name over
 * the members' ids. Every member computes the same owner from the same membership with no
 * coordination, and a join or a leave moves only the checks that must move: those the leaver owned,
 * or those the newcomer now wins. Pure Java; the hash is fixed here (FNV-1a, then a 64-bit finaliser),
 * not {@link String#hashCode}, so that every JVM and version agrees.
 */
public final class Ownership {
  private Ownership() {}

  /** The owner of {@code check} among {@code members}, or null when there are none. */
  public static String owner(String check, Collection<String> members) {
    String best = null;
    long bestWeight = 0;
    for (String m : members) {
      long w = weight(m, check);
      // Ties (astronomically rare) go to the smaller id, so that every member still agrees.
      if (best == null || Long.compareUnsigned(w, bestWeight) > 0 || (w == bestWeight && m.compareTo(best) < 0)) {
        best = m;
        bestWeight = w;
      }
    }
    return best;
  }

  static long weight(String member, String check) {
    long h = 0xcbf29ce484222325L;
    h = fnv(h, member);
    h = (h ^ 0xff) * 0x100000001b3L; // a separator no UTF-8 text contains
    h = fnv(h, check);
    return mix(h);
  }

  private static long fnv(long h, String s) {
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return h;
  }

  /** MurmurHash3's fmix64: FNV alone spreads similar names (t1, t2, ...) poorly in its high bits. */
  private static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}

package io.vigil.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class OwnershipTest {
  private static final List<String> CHECKS = IntStream.range(0, 3000).mapToObj(i -> "t" + i).toList();
  private static final List<String> THREE = List.of("8f14e45f-ceea-467a-9575-1b6e2c4e1a01",
      "c9f0f895-fb98-4ab9-a7c3-3e1f2d9d0b02", "45c48cce-2e2d-4fbd-aa1a-8b1e7c2c0c03");

  private static Map<String, String> owners(List<String> members) {
    Map<String, String> out = new HashMap<>();
    CHECKS.forEach(c -> out.put(c, Ownership.owner(c, members)));
    return out;
  }

  @Test
  void everyMemberComputesTheSameOwnerWhateverTheOrderItListsTheMembersIn() {
    List<String> reversed = new ArrayList<>(THREE);
    java.util.Collections.reverse(reversed);
    assertEquals(owners(THREE), owners(reversed));
  }

  @Test
  void checksWithSimilarNamesSpreadEvenlyOverTheMembers() {
    Map<String, Integer> load = new HashMap<>();
    owners(THREE).values().forEach(m -> load.merge(m, 1, Integer::sum));
    assertEquals(3, load.size(), "every member owns checks: " + load);
    load.values().forEach(n -> assertTrue(n > 850 && n < 1150, "each about 1,000 of 3,000: " + load));
  }

  @Test
  void aLeaveMovesOnlyTheLeaversChecksAndAJoinOnlyTheNewcomersOnes() {
    Map<String, String> before = owners(THREE);
    String leaver = THREE.get(1);
    Map<String, String> after = owners(List.of(THREE.get(0), THREE.get(2)));
    for (String c : CHECKS) {
      if (!before.get(c).equals(leaver)) {
        assertEquals(before.get(c), after.get(c), c + " moved though its owner stayed");
      }
    }
    String newcomer = "d3d94468-02a4-4e1c-9b3a-5b0c2a7e0d04";
    List<String> four = new ArrayList<>(THREE);
    four.add(newcomer);
    Map<String, String> joined = owners(four);
    int moved = 0;
    for (String c : CHECKS) {
      if (!joined.get(c).equals(before.get(c))) {
        assertEquals(newcomer, joined.get(c), c + " moved to a member that was there before");
        moved++;
      }
    }
    assertTrue(moved > 600 && moved < 900, "about a quarter of the checks move to the newcomer: " + moved);
  }

  @Test
  void noMembersMeansNoOwner() {
    assertNull(Ownership.owner("t1", List.of()));
  }

  @Test
  void theWeightIsFixedSoThatEveryJvmAndVersionAgrees() {
    // The values are the contract: a changed hash would make members of two versions disagree on owners.
    assertEquals(0x7afd4e29979e4afeL, Ownership.weight("a", "b"));
    assertEquals(0x1d20b429fc1037bfL, Ownership.weight("member-1", "redis"));
    assertTrue(Ownership.weight("a", "bc") != Ownership.weight("ab", "c"), "the separator keeps member and check apart");
  }
}

package io.vigil.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vigil.http.SseClient;
import io.vigil.testsupport.BridgeClient;
import io.vigil.testsupport.MonitorFixture;
import io.vigil.testsupport.TestPorts;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three Vigil processes clustered on loopback share 30 http checks: each check is probed by its
 * owner only, every member shows all 30, a transition reaches a subscriber in another process once,
 * and a member killed with SIGKILL has its checks taken over with no gap beyond interval + detection
 * and no transition. Member 0 runs the TCP event-bus bridge: a client of it sees every member's
 * results and the same transitions, once. The tests run in order on one cluster; the last ones stop members.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
  private static final int CHECKS = 30;
  private static final long INTERVAL_MS = 1000;
  private static final long DETECTION_MS = Members.DETECTION_MS;

  private CountingTarget target;
  private Members members;
  private BusSubscriber subscriber;
  private BridgeClient bridge;
  private final List<Integer> alive = new ArrayList<>(List.of(0, 1, 2));

  @BeforeAll
  void startCluster(@TempDir Path dir) throws Exception {
    target = new CountingTarget(CHECKS);
    int bridgePort = TestPorts.closed();
    members = new Members(dir, 3, target, CHECKS, "{ interval: 1s, timeout: 900ms }",
        i -> i == 0 ? "bridge: { enabled: true, port: " + bridgePort + " }\n" : "");
    subscriber = new BusSubscriber(Members.CLUSTER, members.clusterPorts);
    bridge = new BridgeClient(bridgePort);
    bridge.register("vigil.check.result");
    bridge.register("vigil.status.changed");
    MonitorFixture.eventually(Duration.ofSeconds(90), "every member to see the three and report all checks UP",
        () -> IntStream.range(0, 3).allMatch(i -> members.output(i).contains("members=3")
            && members.status(i, "/health") == 200 && upChecks(i).size() == CHECKS));
    Thread.sleep(2 * INTERVAL_MS); // a round with the final ownership
  }

  @AfterAll
  void stop() throws IOException {
    if (bridge != null) {
      bridge.close();
    }
    if (subscriber != null) {
      subscriber.close();
    }
    if (members != null) {
      members.close();
    }
    if (target != null) {
      target.close();
    }
  }

  @Test
  @Order(1)
  void eachCheckIsProbedByItsOwnerOnlyAndEveryMemberShowsAll() throws Exception {
    Map<Integer, String> ids = subscriber.memberIds();
    List<String> memberIds = members.clusterPorts.stream().map(ids::get).toList();
    List<Map<String, Double>> before = IntStream.range(0, 3).mapToObj(members::probes).toList();
    long from = System.nanoTime();
    Thread.sleep(6 * INTERVAL_MS);
    long to = System.nanoTime();
    for (int k = 0; k < CHECKS; k++) {
      String check = "t" + k;
      int owner = memberIds.indexOf(Ownership.owner(check, memberIds));
      for (int i = 0; i < 3; i++) {
        double probed = members.probes(i).getOrDefault(check, 0.0) - before.get(i).getOrDefault(check, 0.0);
        if (i == owner) {
          assertTrue(probed >= 4, check + " owned by member " + i + " was probed " + probed + " times by it in 6 s");
        } else {
          assertEquals(0.0, probed, check + " is member " + owner + "'s, yet member " + i + " counted probes");
        }
      }
      int hits = target.hits(k, from, to);
      assertTrue(hits >= 4 && hits <= 8, check + " was asked " + hits + " times in 6 s at a 1 s interval (one prober: about 6)");
    }
    Map<String, String> owners = new TreeMap<>();
    for (int k = 0; k < CHECKS; k++) {
      owners.put("t" + k, "127.0.0.1:" + members.clusterPorts.get(memberIds.indexOf(Ownership.owner("t" + k, memberIds))));
    }
    for (int i = 0; i < 3; i++) {
      assertEquals(CHECKS, upChecks(i).size(), "member " + i + " /health: " + members.states(i));
      assertEquals(owners, members.owners(i), "the owner label of each check's vigil_check_state on member " + i);
    }
    assertEquals(CHECKS, bridge.bodies("vigil.check.result").stream().map(r -> r.getString("check")).distinct().count(),
        "member 0's bridge carries the results of every member's checks");
    // Its /events too: its own probes' results, and the others' from its board's view.
    try (SseClient events = SseClient.open(members.httpPorts.get(0), "/events")) {
      events.await(Duration.ofSeconds(5), "a result of each of the " + CHECKS + " checks on member 0's /events",
          e -> e.stream().filter(x -> x.name().equals("result")).map(x -> x.json().getString("check")).distinct().count() == CHECKS);
    }
  }

  @Test
  @Order(2)
  void aTransitionReachesASubscriberInAnotherProcessOnce() throws Exception {
    int before = subscriber.transitions.size();
    int bridgeBefore = bridge.bodies("vigil.status.changed").size();
    for (int k = 0; k < 5; k++) {
      target.fail(k, true);
    }
    MonitorFixture.eventually(Duration.ofSeconds(15), "t0..t4 DOWN on every member",
        () -> IntStream.range(0, 3).allMatch(i -> members.states(i).values().stream().filter("DOWN"::equals).count() == 5));
    for (int k = 0; k < 5; k++) {
      target.fail(k, false);
    }
    MonitorFixture.eventually(Duration.ofSeconds(15), "t0..t4 UP again on every member",
        () -> IntStream.range(0, 3).allMatch(i -> upChecks(i).size() == CHECKS));
    Thread.sleep(INTERVAL_MS); // a duplicate from a second member would arrive meanwhile
    Map<String, List<String>> expected = new TreeMap<>();
    IntStream.range(0, 5).forEach(k -> expected.put("t" + k, List.of("UP->DOWN", "DOWN->UP")));
    expected.put("*", List.of("UP->DOWN", "DOWN->UP"));
    assertEquals(expected, byCheck(subscriber.transitions.subList(before, subscriber.transitions.size())),
        "transitions the subscriber saw, in order");
    List<JsonObject> overBridge = bridge.bodies("vigil.status.changed");
    assertEquals(expected, byCheck(overBridge.subList(bridgeBefore, overBridge.size())),
        "transitions member 0's bridge carried, in order");
  }

  private static Map<String, List<String>> byCheck(List<JsonObject> transitions) {
    Map<String, List<String>> byCheck = new TreeMap<>();
    transitions.forEach(t -> byCheck.computeIfAbsent(t.getString("check"), c -> new ArrayList<>())
        .add(t.getString("from") + "->" + t.getString("to")));
    return byCheck;
  }

  @Test
  @Order(3)
  void aKilledMembersChecksResumeOnTheOthersWithoutATransition() throws Exception {
    Map<Integer, String> ids = subscriber.memberIds();
    List<String> memberIds = members.clusterPorts.stream().map(ids::get).toList();
    Map<Integer, List<Integer>> owned = new HashMap<>();
    for (int k = 0; k < CHECKS; k++) {
      owned.computeIfAbsent(memberIds.indexOf(Ownership.owner("t" + k, memberIds)), x -> new ArrayList<>()).add(k);
    }
    int victim = owned.entrySet().stream().max(Map.Entry.comparingByValue((a, b) -> a.size() - b.size())).orElseThrow().getKey();
    int transitionsBefore = subscriber.transitions.size();
    long killed = System.nanoTime();
    members.processes.get(victim).process().destroyForcibly(); // SIGKILL
    alive.remove(Integer.valueOf(victim));
    Thread.sleep(INTERVAL_MS + DETECTION_MS + 4 * INTERVAL_MS);
    long end = System.nanoTime();
    long bound = INTERVAL_MS + DETECTION_MS; // the round the kill cut short, then detection: the new owner probes at once
    System.out.println("kill -9 handover: longest gap " + owned.get(victim).stream()
        .mapToLong(k -> target.longestGapMs(k, killed, end)).max().orElse(0) + " ms over " + owned.get(victim).size() + " checks");
    for (int k : owned.get(victim)) {
      long gap = target.longestGapMs(k, killed, end);
      assertTrue(gap <= bound, "t" + k + " (member " + victim + "'s) went " + gap + " ms unprobed after the kill; bound " + bound);
    }
    assertEquals(List.of(), subscriber.transitions.subList(transitionsBefore, subscriber.transitions.size()),
        "a handover alone must cause no transition");
    for (int i : alive) {
      assertEquals(CHECKS, upChecks(i).size(), "member " + i + " /health after the kill: " + members.get(i, "/health"));
    }
    assertSeqIncreasesPerCheck();
  }

  @Test
  @Order(4)
  void aDrainingMemberHandsItsChecksOverWithNoGapLongerThanAnInterval() throws Exception {
    Map<Integer, String> ids = subscriber.memberIds();
    List<String> memberIds = alive.stream().map(i -> ids.get(members.clusterPorts.get(i))).toList();
    int leaver = alive.get(1);
    List<Integer> itsChecks = IntStream.range(0, CHECKS)
        .filter(k -> Ownership.owner("t" + k, memberIds).equals(ids.get(members.clusterPorts.get(leaver)))).boxed().toList();
    assertTrue(!itsChecks.isEmpty(), "member " + leaver + " owns checks");
    int transitionsBefore = subscriber.transitions.size();
    long signalled = System.nanoTime();
    members.processes.get(leaver).signal("TERM");
    assertEquals(0, members.processes.get(leaver).awaitExit(Duration.ofSeconds(30)), members.output(leaver));
    alive.remove(Integer.valueOf(leaver));
    Thread.sleep(3 * INTERVAL_MS);
    long end = System.nanoTime();
    long bound = INTERVAL_MS + INTERVAL_MS / 20 + 300; // one interval, its jitter, the handover message
    System.out.println("drain handover: longest gap " + itsChecks.stream()
        .mapToLong(k -> target.longestGapMs(k, signalled - INTERVAL_MS * 1_000_000, end)).max().orElse(0) + " ms over "
        + itsChecks.size() + " checks");
    for (int k : itsChecks) {
      long gap = target.longestGapMs(k, signalled - INTERVAL_MS * 1_000_000, end);
      assertTrue(gap <= bound, "t" + k + " went " + gap + " ms unprobed around member " + leaver + "'s drain; bound " + bound);
    }
    assertEquals(List.of(), subscriber.transitions.subList(transitionsBefore, subscriber.transitions.size()),
        "a drain alone must cause no transition");
    assertEquals(CHECKS, upChecks(alive.get(0)).size(), members.get(alive.get(0), "/health"));
  }

  /** Every check's results reached the subscriber with increasing seq, across owners. */
  private void assertSeqIncreasesPerCheck() {
    Map<String, Long> last = new HashMap<>();
    for (JsonObject r : subscriber.results) {
      long seq = r.getLong("seq");
      Long prev = last.put(r.getString("check"), seq);
      assertTrue(prev == null || seq > prev, r.getString("check") + ": seq " + seq + " after " + prev);
    }
    assertTrue(last.size() == CHECKS, "results of " + last.size() + " checks reached the subscriber");
  }

  private List<String> upChecks(int member) {
    return members.states(member).entrySet().stream().filter(e -> e.getValue().equals("UP")).map(Map.Entry::getKey).toList();
  }
}

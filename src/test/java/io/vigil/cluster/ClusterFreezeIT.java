package io.vigil.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.testsupport.MonitorFixture;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member frozen with SIGSTOP for longer than max-age, then thawed: the others carry its checks
 * meanwhile without a transition; its first answers after the thaw (requests a load balancer sent
 * while it was frozen) report nothing stale as UP and say not ready; it merges back into the cluster
 * and announces nothing twice. The frozen member is the oldest one, Hazelcast's master and Vigil's
 * leader, the slowest to replace (the others elect a new master after noticing).
 */
class ClusterFreezeIT {
  private static final int CHECKS = 30;
  private static final long INTERVAL_MS = 1000;
  private static final long MAX_AGE_MS = 12_000;
  private static final long FREEZE_MS = MAX_AGE_MS + 6_000;

  private CountingTarget target;
  private Members members;
  private BusSubscriber subscriber;

  @AfterEach
  void stop() {
    for (int i = 0; members != null && i < members.processes.size(); i++) { // what each member saw of the cluster
      System.out.println("member " + i + ":\n" + String.join("\n", members.output(i).lines()
          .filter(l -> l.contains("vigil.cluster") || l.contains("Mastership") || l.contains("suspected") || l.contains("merging"))
          .map(l -> l.length() > 300 ? l.substring(0, 300) : l).toList()));
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
  void aFrozenMemberReportsNothingStaleAndRejoinsWithoutDuplicateTransitions(@TempDir Path dir) throws Exception {
    target = new CountingTarget(CHECKS);
    members = new Members(dir, 3, target, CHECKS, "{ interval: 1s, timeout: 900ms, max-age: 12s }", i -> "");
    subscriber = new BusSubscriber(Members.CLUSTER, members.clusterPorts);
    MonitorFixture.eventually(Duration.ofSeconds(90), "every member to see the three and report all checks UP",
        () -> IntStream.range(0, 3).allMatch(i -> members.output(i).contains("members=3") && members.upChecks(i) == CHECKS));
    Thread.sleep(2 * INTERVAL_MS);

    Map<Integer, String> ids = subscriber.memberIds();
    List<String> memberIds = members.clusterPorts.stream().map(ids::get).toList();
    int frozen = members.clusterPorts.indexOf(subscriber.oldestMonitorPort());
    List<Integer> itsChecks = IntStream.range(0, CHECKS)
        .filter(k -> Ownership.owner("t" + k, memberIds).equals(memberIds.get(frozen))).boxed().toList();
    List<Integer> others = IntStream.range(0, 3).filter(i -> i != frozen).boxed().toList();
    int transitionsBefore = subscriber.transitions.size();

    long stopped = System.nanoTime();
    members.processes.get(frozen).signal("STOP");
    Thread.sleep(FREEZE_MS - 2_000);
    for (int i : others) {
      assertEquals(CHECKS, members.upChecks(i), "member " + i + " while member " + frozen + " is frozen: "
          + members.states(i));
    }
    // A load balancer's probe, sent while the member is frozen: the thawed member's very first answer.
    // (Its readiness is the "ready" of the same snapshot; a /health/ready answered after it could be
    // truthfully 200: alone after the thaw, the member probes every check itself at once.)
    Socket lb = new Socket("127.0.0.1", members.httpPorts.get(frozen));
    lb.setSoTimeout(20_000);
    lb.getOutputStream().write("GET /health HTTP/1.1\r\nHost: vigil\r\nConnection: close\r\n\r\n"
        .getBytes(StandardCharsets.US_ASCII));
    Thread.sleep(2_000);
    Instant thawed = Instant.now();
    long thawedNanos = System.nanoTime();
    members.processes.get(frozen).signal("CONT");
    List<Answer> answers = Answer.readAll(lb.getInputStream());
    lb.close();

    JsonObject first = new JsonObject(answers.get(0).body());
    JsonArray checks = first.getJsonArray("checks");
    List<String> staleUp = new ArrayList<>();
    int freshUp = 0;
    for (int k = 0; k < checks.size(); k++) {
      JsonObject data = checks.getJsonObject(k).getJsonObject("data");
      boolean fresh = !Instant.parse(data.getString("lastResult")).isBefore(thawed);
      if (data.getString("state").equals("UP")) {
        if (fresh) {
          freshUp++;
        } else {
          staleUp.add(checks.getJsonObject(k).getString("name") + " (last result " + data.getString("lastResult") + ")");
        }
      }
    }
    assertEquals(List.of(), staleUp, "checks the thawed member called UP on results from before its freeze of "
        + FREEZE_MS + " ms (max-age " + MAX_AGE_MS + " ms), thawed at " + thawed);
    assertEquals(freshUp == CHECKS, first.getBoolean("ready"), "readiness in the thawed member's first answer, with "
        + freshUp + " of " + CHECKS + " checks UP on results since the thaw");
    assertEquals(first.getBoolean("ready") ? 200 : 503, answers.get(0).status(), "/health's code in that answer");

    long merging = System.nanoTime();
    MonitorFixture.eventually(Duration.ofSeconds(90), "the three members merged back into one cluster with all checks UP",
        () -> IntStream.range(0, 3).allMatch(i -> members.lastMembersCount(i) == 3 && members.upChecks(i) == CHECKS));
    System.out.println("merged " + (System.nanoTime() - merging) / 1_000_000 + " ms after the thaw");
    Thread.sleep(3 * INTERVAL_MS);
    long end = System.nanoTime();

    long takeover = itsChecks.stream().mapToLong(k -> target.longestGapMs(k, stopped, thawedNanos)).max().orElse(0);
    System.out.println("freeze of the oldest member: its " + itsChecks.size() + " checks went at most " + takeover
        + " ms unprobed (failure-detection " + Members.DETECTION_MS + " ms, max-age " + MAX_AGE_MS + " ms)");
    // Hazelcast notices the silence after failure-detection, then elects a new master: the checks
    // resume within interval + detection + a second, well before their results pass max-age.
    long bound = INTERVAL_MS + Members.DETECTION_MS + 1000;
    assertTrue(takeover <= bound, "the frozen member's checks went " + takeover + " ms unprobed; bound " + bound);
    assertEquals(List.of(), subscriber.transitions.subList(transitionsBefore, subscriber.transitions.size()),
        "transitions announced around a freeze during which every target stayed UP");
    long from = end - TimeUnit.SECONDS.toNanos(3);
    for (int k = 0; k < CHECKS; k++) {
      int hits = target.hits(k, from, end);
      assertTrue(hits <= 4, "t" + k + " asked " + hits + " times in 3 s at a 1 s interval after the merge: probed twice");
    }
    for (int i = 0; i < 3; i++) {
      assertEquals(CHECKS, members.upChecks(i), "member " + i + " after the merge: " + members.states(i));
    }
  }

  /** One HTTP/1.1 answer with a Content-Length body. */
  private record Answer(int status, String body) {
    /** The answers on a connection, in order, until the server closes it. */
    static List<Answer> readAll(InputStream in) throws IOException {
      String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      List<Answer> out = new ArrayList<>();
      int at = 0;
      while (at < all.length()) {
        int headEnd = all.indexOf("\r\n\r\n", at);
        String head = all.substring(at, headEnd).toLowerCase(Locale.ROOT);
        Matcher length = Pattern.compile("content-length: *(\\d+)").matcher(head);
        if (!length.find()) {
          throw new AssertionError("an answer without Content-Length: " + head);
        }
        int bodyStart = headEnd + 4;
        int bodyEnd = bodyStart + Integer.parseInt(length.group(1));
        out.add(new Answer(Integer.parseInt(head.substring(9, 12)), all.substring(bodyStart, bodyEnd)));
        at = bodyEnd;
      }
      return out;
    }
  }
}

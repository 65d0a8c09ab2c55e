package io.vigil.cluster;

import com.hazelcast.cluster.Cluster;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;

/**
 * The membership of a Hazelcast-clustered Vigil: the members Hazelcast reports (oldest first, the
 * same order on every member), less those that said they are leaving. A member that drains says so
 * on {@link #LEAVING} first, so the others take its checks at once, before it stops probing.
 * Hazelcast's own listener is used, not Vert.x's {@code nodeListener}, which the clustered event bus
 * holds for itself. Only members with the {@link #ROLE} attribute {@link #MONITOR} share the checks:
 * other Vert.x applications may join the cluster to subscribe to Vigil's events.
 */
public final class HazelcastMembership implements Membership {
  /** {@code {member}}: that member drains and owns nothing from now on (publish). */
  public static final String LEAVING = "vigil.cluster.leaving";
  /** The Hazelcast member attribute that marks a Vigil, and its value. */
  static final String ROLE = "vigil.role";
  static final String MONITOR = "monitor";
  private static final Logger LOG = Logger.getLogger("vigil.cluster");

  private final Vertx vertx;
  private final Cluster cluster;
  /** Hazelcast gives a member a new id when it merges back after a split: read again on each change. */
  private volatile String self;
  private final Set<String> leaving = ConcurrentHashMap.newKeySet();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private volatile List<String> members;
  /** Each member's cluster address by id, for {@link #owner}. */
  private volatile Map<String, String> addresses = Map.of();
  private MessageConsumer<String> leavingConsumer;

  public HazelcastMembership(Vertx vertx, HazelcastClusterManager manager) {
    this.vertx = vertx;
    this.cluster = manager.getHazelcastInstance().getCluster();
    this.members = current();
  }

  /** Follows joins, leaves and the leaving announcements of the others. */
  public Future<Void> start() {
    cluster.addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent e) {
        changed("joined", e.getMember());
      }

      @Override
      public void memberRemoved(MembershipEvent e) {
        leaving.remove(e.getMember().getUuid().toString());
        changed("left", e.getMember());
      }
    });
    leavingConsumer = vertx.eventBus().consumer(LEAVING, m -> {
      if (!m.body().equals(self) && leaving.add(m.body())) {
        update();
        LOG.info("cluster member=" + m.body() + " leaving; members=" + members.size());
      }
    });
    members = current();
    LOG.info("cluster joined self=" + self + " members=" + members.size());
    return leavingConsumer.completion();
  }

  @Override
  public void leave() {
    leaving.add(self);
    update();
    vertx.eventBus().publish(LEAVING, self);
  }

  @Override
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  private void update() {
    members = current();
    listeners.forEach(Runnable::run);
  }

  private void changed(String what, Member m) {
    update();
    LOG.info("cluster member=" + m.getUuid() + " " + what + "; members=" + members.size() + " " + members);
  }

  /** The monitors now, oldest first, less those leaving; Hazelcast's member ids (Vert.x's node id is another). */
  private List<String> current() {
    self = cluster.getLocalMember().getUuid().toString();
    List<String> ids = new ArrayList<>();
    Map<String, String> byId = new HashMap<>();
    for (Member m : cluster.getMembers()) {
      String id = m.getUuid().toString();
      byId.put(id, m.getAddress().getHost() + ":" + m.getAddress().getPort());
      if (MONITOR.equals(m.getAttribute(ROLE)) && !leaving.contains(id)) {
        ids.add(id);
      }
    }
    addresses = Map.copyOf(byId);
    return List.copyOf(ids);
  }

  @Override
  public String self() {
    return self;
  }

  @Override
  public boolean owns(String check) {
    return self.equals(Ownership.owner(check, members));
  }

  @Override
  public String owner(String check) {
    String id = Ownership.owner(check, members);
    return id == null ? null : addresses.get(id);
  }

  @Override
  public boolean leads() {
    List<String> m = members;
    return !m.isEmpty() && m.get(0).equals(self);
  }

  @Override
  public boolean clustered() {
    return true;
  }
}

package io.vigil.http;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.bus.Addresses;
import io.vigil.engine.MonitorView;
import io.vigil.http.SseFrames.Kind;
import io.vigil.model.Snapshot;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The one Server-Sent Events hub of a monitor, shared by every HTTP verticle instance.
 *
 * <ul>
 *   <li>One consumer per event-bus address ({@code vigil.check.result}, {@code vigil.status.changed},
 *   {@code vigil.lifecycle}), not one per client. Each event is encoded once per {@link Tier} and
 *   kept in a bounded ring of recent frames.</li>
 *   <li>Frames are written in batches, every {@link #BATCH_MS} ms at most: with thousands of checks
 *   the board publishes hundreds of events a second, and one write per event per subscriber would
 *   cost more than the event loops have. A batch is one buffer per tier, handed to each event loop
 *   once and written there to each of its subscribers.</li>
 *   <li>At most {@code maxClients} subscribers; {@link #admit()} says no beyond that and
 *   {@code /events} answers 503 with {@code Retry-After}.</li>
 *   <li>A subscriber whose write queue is full when a batch or heartbeat comes is dropped (its
 *   connection closed), never buffered for: its client reconnects with {@code Last-Event-ID} and
 *   resumes from the ring.</li>
 *   <li>A subscriber is registered before the snapshot is read. Since the board replaces its
 *   snapshot before it publishes the events of that change, every event is then either in the
 *   snapshot (seq not above the snapshot's) or delivered after it: none falls between the two.</li>
 * </ul>
 */
public final class EventHub extends VerticleBase {
  private static final Logger LOG = Logger.getLogger("vigil.http");
  static final long BATCH_MS = 100;
  static final long HEARTBEAT_MS = 15_000;
  static final int RING = 4096;
  /**
   * What a subscriber may have queued beyond its first frame (snapshot or replay) before it is
   * dropped: seconds of events at thousands of checks. The first frame is allowed in full on top, so
   * a client over a slow link that is still reading a large snapshot is not cut off at the first batch.
   */
  static final int BACKLOG = 1 << 20;
  /** How old a large snapshot body a new subscriber may get; the ring's replay covers the rest. */
  static final long SNAPSHOT_REUSE_NANOS = TimeUnit.SECONDS.toNanos(2);
  // Direct, like every buffer written to many subscribers: Netty copies a heap buffer into a direct
  // one per connection when it is written, and a subscriber that does not read keeps that copy.
  private static final Buffer RETRY = Bodies.direct("retry: 2000\n\n");
  private static final Buffer HEARTBEAT = Bodies.direct(": keep-alive\n\n");
  private static final Buffer FRAME_END = Bodies.direct("\n\n");

  /**
   * One frame in the ring: {@code ord} orders all frames, {@code seq} is the board's (-1 for
   * lifecycle). Encoded on first use, once for every subscriber and tier: with nobody on /events,
   * most frames are never read (encoding each result on arrival was 14 % of a cluster member's event
   * loops, which pass the whole cluster's results through). Its payload is never changed once here.
   */
  static final class Frame {
    final long ord;
    final long seq;
    private final Kind kind;
    private final JsonObject payload;
    private final Set<Tier> tiers;
    /** Written once by whichever context reads it first; two encodings of the same payload are equal. */
    private volatile Map<Tier, Buffer> encoded;

    Frame(long ord, long seq, Kind kind, JsonObject payload, Set<Tier> tiers) {
      this.ord = ord;
      this.seq = seq;
      this.kind = kind;
      this.payload = payload;
      this.tiers = tiers;
    }

    boolean lifecycle() {
      return seq < 0;
    }

    Buffer bytes(Tier tier) {
      Map<Tier, Buffer> e = encoded;
      if (e == null) {
        e = SseFrames.encode(kind, payload, tiers);
        encoded = e;
      }
      return e.get(tier);
    }
  }

  /** A batch: its frames and, per tier, all of them in one buffer with each frame's offset. */
  private record Batch(List<Frame> frames, Map<Tier, Buffer> joined, Map<Tier, int[]> offsets) {}

  private final MonitorView view;
  private final Set<Tier> tiers;
  private final Renderings renderings;
  private final int maxClients;
  private final int ringSize;
  private final long heartbeatMs;
  private final long batchMs;
  private final AtomicInteger clients = new AtomicInteger();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final Map<Context, Group> groups = new ConcurrentHashMap<>();
  private final ArrayDeque<Frame> ring = new ArrayDeque<>();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  // Touched on the hub's own context only:
  private List<Frame> pending = new ArrayList<>();
  private long flushTimer = -1;
  private long heartbeatTimer = -1;
  private long nextOrd;

  EventHub(MonitorView view, Set<Tier> tiers, Renderings renderings, int maxClients, int ringSize, long heartbeatMs,
      long batchMs) {
    this.view = view;
    this.tiers = tiers;
    this.renderings = renderings;
    this.maxClients = maxClients;
    this.ringSize = ringSize;
    this.heartbeatMs = heartbeatMs;
    this.batchMs = batchMs;
  }

  @Override
  public Future<?> start() {
    // This member's own results come as vigil.check.result; clustered, the other members' come from
    // this member's board (Addresses.VIEW, a batch per replica message), so no result crosses the
    // network a second time for the hub. A transition comes from the check's owner, which may be
    // another member.
    consumers.add(vertx.eventBus().<JsonObject>localConsumer(Addresses.RESULT, m -> received(Kind.RESULT, m.body())));
    if (vertx.isClustered()) {
      consumers.add(vertx.eventBus().<JsonArray>localConsumer(Addresses.VIEW, m -> {
        for (int i = 0; i < m.body().size(); i++) {
          received(Kind.RESULT, m.body().getJsonObject(i));
        }
      }));
    }
    consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.CHANGED, m -> received(Kind.STATUS, m.body())));
    consumers.add(vertx.eventBus().<JsonObject>localConsumer(Addresses.LIFECYCLE, m -> received(Kind.LIFECYCLE, m.body())));
    heartbeatTimer = vertx.setPeriodic(heartbeatMs, id -> toEveryGroup(Group::heartbeat));
    return Future.join(consumers.stream().map(MessageConsumer::completion).toList());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(heartbeatTimer);
    vertx.cancelTimer(flushTimer);
    toEveryGroup(Group::endAll);
    return Future.join(consumers.stream().map(MessageConsumer::unregister).toList());
  }

  /** Takes a place for one more subscriber; false when {@code maxClients} are connected. */
  boolean admit() {
    while (true) {
      int n = clients.get();
      if (n >= maxClients) {
        refused.incrementAndGet();
        return false;
      }
      if (clients.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** Subscribers connected now. */
  int clients() {
    return clients.get();
  }

  /** Subscribers turned away at {@code maxClients}, and dropped because they did not keep up. */
  long refused() {
    return refused.get();
  }

  long dropped() {
    return dropped.get();
  }

  /**
   * Streams to {@code res} (already admitted, headers set) on its own {@code context}, which must be
   * the current one: the replay after {@code lastEventId} when the ring still holds it, else the
   * snapshot; then every frame as it comes.
   */
  void subscribe(Context context, HttpConnection conn, HttpServerResponse res, Tier tier, OptionalLong lastEventId) {
    Group group = groups.computeIfAbsent(context, Group::new);
    Subscriber sub = new Subscriber(group, conn, res, tier);
    group.subscribers.add(sub); // first: from here on no frame can pass this subscriber by
    synchronized (ring) {
      sub.fromOrd = nextOrd; // frames from here on are this subscriber's, if not in its snapshot
    }
    res.closeHandler(v -> sub.closed());
    res.endHandler(v -> sub.closed());
    res.write(RETRY);
    if (lastEventId.isPresent()) {
      Tail tail = tail(lastEventId.getAsLong());
      if (tail.frames != null) {
        res.setWriteQueueMaxSize(BACKLOG + tail.frames.stream().mapToInt(f -> f.bytes(tier).length()).sum());
        sub.replay(lastEventId.getAsLong(), tail);
        sub.waiting = false;
        return;
      }
    }
    // An older body is brought up to date by the ring's replay, so it may be reused longer than
    // /health's: a burst of subscribers costs one rendering, not one every quarter second.
    startFromSnapshot(sub, SNAPSHOT_REUSE_NANOS);
  }

  /**
   * Sends {@code sub} a snapshot and the ring's frames after it. A large snapshot is rendered off
   * the event loop ({@link Renderings}); the subscriber waits meanwhile (batches pass it by; they
   * are in the ring and replayed after the body). When the ring no longer reaches back to the
   * body's seq, a rendering of the current snapshot is asked for once; then the stream is ended
   * and the client's reconnection starts again.
   */
  private void startFromSnapshot(Subscriber sub, long reuseNanos) {
    Snapshot now = view.snapshot();
    Tier tier = sub.tier;
    renderings.get(Renderings.Kind.MICROPROFILE, tier, false, now, s -> HealthFormats.microProfile(s, tier), reuseNanos)
        .onComplete(ar -> {
          if (sub.gone || sub.res.closed()) {
            return;
          }
          Tail tail = ar.succeeded() ? snapshotTail(ar.result().snapshot().seq(), sub.fromOrd) : null;
          if (tail != null && tail.frames != null) {
            Renderings.Rendered r = ar.result();
            sub.res.setWriteQueueMaxSize(BACKLOG + r.body().length());
            sub.writeSnapshot(r.snapshot().seq(), r.body());
            sub.replay(r.snapshot().seq(), tail);
            sub.waiting = false;
          } else if (ar.succeeded() && reuseNanos > 0) {
            startFromSnapshot(sub, 0); // the reused body was older than the ring reaches
          } else {
            if (ar.failed()) {
              LOG.warning(() -> "events snapshot rendering failed error=\"" + ar.cause() + "\"");
            }
            sub.res.end();
          }
        });
  }

  /**
   * The ring's frames after the event with seq {@code after} (null when the ring does not hold
   * everything that follows it), and the ord of the newest frame: later frames come in batches.
   */
  private record Tail(List<Frame> frames, long upToOrd) {}

  private Tail tail(long after) {
    synchronized (ring) {
      return new Tail(framesAfter(after), nextOrd - 1);
    }
  }

  /**
   * What follows a snapshot of seq {@code seq} for a subscriber registered when the next frame's
   * ord was {@code fromOrd}: the ring's frames after it; none but the lifecycle frames since
   * {@code fromOrd} when the ring holds no event after it yet (the board replaces its snapshot
   * before it publishes, so the snapshot can be ahead of the ring); null only when the ring no
   * longer reaches back to it.
   */
  private Tail snapshotTail(long seq, long fromOrd) {
    synchronized (ring) {
      List<Frame> frames = framesAfter(seq);
      if (frames == null && !beyondRing(seq)) {
        frames = ring.stream().filter(f -> f.lifecycle() && f.ord >= fromOrd).toList();
      }
      return new Tail(frames, nextOrd - 1);
    }
  }

  /** Under the ring's lock: true when events after {@code seq} have left the ring already. */
  private boolean beyondRing(long seq) {
    for (Frame f : ring) {
      if (!f.lifecycle()) {
        return f.seq > seq + 1;
      }
    }
    return false;
  }

  /**
   * Under the ring's lock: the frames after event {@code seq}, or null when the ring does not hold
   * what follows it. Walks back from the newest frame and stops at the first event at or before
   * {@code seq}: a subscriber that is nearly current costs a few steps, not the whole ring (256
   * subscribers arriving at once walked 4,096 frames each on the event loops).
   */
  private List<Frame> framesAfter(long seq) {
    List<Frame> out = new ArrayList<>();
    long newest = -1;
    long oldest = -1;
    Iterator<Frame> it = ring.descendingIterator();
    while (it.hasNext()) {
      Frame f = it.next();
      if (!f.lifecycle()) {
        newest = newest < 0 ? f.seq : newest;
        oldest = f.seq;
        if (f.seq <= seq) {
          Collections.reverse(out);
          return seq > newest ? null : out;
        }
      }
      out.add(f);
    }
    // The whole ring is newer than seq: it holds all that follows only if its oldest event is seq + 1.
    if (oldest < 0 || seq < oldest - 1) {
      return null;
    }
    Collections.reverse(out);
    return out;
  }

  private void received(Kind kind, JsonObject payload) {
    long seq = kind == Kind.LIFECYCLE ? -1 : payload.getLong("seq", -1L);
    Frame f;
    synchronized (ring) {
      f = new Frame(nextOrd++, seq, kind, payload, tiers);
      ring.addLast(f);
      if (ring.size() > ringSize) {
        ring.removeFirst();
      }
    }
    pending.add(f);
    if (kind == Kind.LIFECYCLE) {
      // Rare and meant to be seen at once: DRAINING must reach clients before the drain ends their streams.
      vertx.cancelTimer(flushTimer);
      flush();
    } else if (flushTimer < 0) {
      flushTimer = vertx.setTimer(batchMs, id -> flush());
    }
  }

  private void flush() {
    flushTimer = -1;
    List<Frame> frames = pending;
    pending = new ArrayList<>();
    if (frames.isEmpty() || groups.isEmpty()) {
      return;
    }
    Map<Tier, Buffer> joined = new EnumMap<>(Tier.class);
    Map<Tier, int[]> offsets = new EnumMap<>(Tier.class);
    for (Tier t : tiers) {
      Buffer all = Buffer.buffer();
      int[] at = new int[frames.size() + 1];
      for (int i = 0; i < frames.size(); i++) {
        at[i] = all.length();
        all.appendBuffer(frames.get(i).bytes(t));
      }
      at[frames.size()] = all.length();
      // Off-heap once, not copied for each subscriber (see Bodies): 256 subscribers that never read
      // held a copy of every batch each, 260 MB of direct memory within 20 s at 2,000 checks.
      joined.put(t, Bodies.direct(all.getBytes()));
      offsets.put(t, at);
    }
    Batch batch = new Batch(frames, joined, offsets);
    toEveryGroup(g -> g.deliver(batch));
  }

  private void toEveryGroup(Consumer<Group> action) {
    for (Group g : groups.values()) {
      g.context.runOnContext(v -> action.accept(g));
    }
  }

  /** The subscribers of one event loop; touched on that loop only. */
  private final class Group {
    final Context context;
    final List<Subscriber> subscribers = new ArrayList<>();

    Group(Context context) {
      this.context = context;
    }

    void deliver(Batch batch) {
      for (Subscriber s : List.copyOf(subscribers)) {
        s.deliver(batch);
      }
    }

    void heartbeat() {
      for (Subscriber s : List.copyOf(subscribers)) {
        if (s.writable()) {
          s.res.write(HEARTBEAT);
        }
      }
    }

    void endAll() {
      for (Subscriber s : List.copyOf(subscribers)) {
        if (!s.res.ended() && !s.res.closed()) {
          s.res.end();
        }
      }
    }
  }

  /** One client; touched on its group's loop only. */
  private final class Subscriber {
    final Group group;
    final HttpConnection conn;
    final HttpServerResponse res;
    final Tier tier;
    long lastSeq = -1;
    long lastOrd = -1;
    /** Until its snapshot is written: batches pass it by (their frames are replayed after the snapshot). */
    boolean waiting = true;
    /** The ord of the first frame after it subscribed. */
    long fromOrd;
    private boolean gone;

    Subscriber(Group group, HttpConnection conn, HttpServerResponse res, Tier tier) {
      this.group = group;
      this.conn = conn;
      this.res = res;
      this.tier = tier;
    }

    void writeSnapshot(long seq, Buffer body) {
      res.write(SseFrames.snapshotHead(seq));
      res.write(body);
      res.write(FRAME_END);
    }

    /** Writes the tail's frames (if any) and moves this subscriber past them. */
    void replay(long after, Tail tail) {
      Buffer all = Buffer.buffer();
      long seq = after;
      for (Frame f : tail.frames == null ? List.<Frame>of() : tail.frames) {
        all.appendBuffer(f.bytes(tier));
        seq = f.lifecycle() ? seq : f.seq;
      }
      if (all.length() > 0) {
        res.write(all);
      }
      lastSeq = Math.max(lastSeq, seq);
      lastOrd = Math.max(lastOrd, tail.upToOrd);
    }

    void deliver(Batch batch) {
      if (gone || waiting) {
        return;
      }
      List<Frame> frames = batch.frames;
      int first = frames.size();
      boolean suffix = true;
      for (int i = 0; i < frames.size(); i++) {
        boolean wanted = wanted(frames.get(i));
        if (wanted && first == frames.size()) {
          first = i;
        } else if (!wanted && first < frames.size()) {
          suffix = false;
        }
      }
      if (first == frames.size()) {
        return;
      }
      if (!writable()) {
        return;
      }
      int[] at = batch.offsets.get(tier);
      if (suffix) {
        Buffer all = batch.joined.get(tier);
        res.write(first == 0 ? all : all.slice(at[first], at[frames.size()]));
      } else {
        // A lifecycle frame among events the snapshot already holds: write the wanted ones one by one.
        for (int i = first; i < frames.size(); i++) {
          if (wanted(frames.get(i))) {
            res.write(frames.get(i).bytes(tier));
          }
        }
      }
      for (Frame f : frames) {
        lastOrd = Math.max(lastOrd, f.ord);
        if (!f.lifecycle()) {
          lastSeq = Math.max(lastSeq, f.seq);
        }
      }
    }

    private boolean wanted(Frame f) {
      return f.ord > lastOrd && (f.lifecycle() || f.seq > lastSeq);
    }

    /** False, and the client dropped, when its write queue is full: it does not keep up. */
    boolean writable() {
      if (gone || res.ended() || res.closed()) {
        return false;
      }
      if (res.writeQueueFull()) {
        LOG.fine(() -> "events subscriber dropped reason=write_queue_full subscribers=" + clients.get());
        dropped.incrementAndGet();
        closed();
        Replies.abort(conn);
        return false;
      }
      return true;
    }

    void closed() {
      if (!gone) {
        gone = true;
        group.subscribers.remove(this);
        clients.decrementAndGet();
      }
    }
  }

  /** The frames the ring holds now (tests). */
  List<Frame> ring() {
    synchronized (ring) {
      return List.copyOf(ring);
    }
  }
}

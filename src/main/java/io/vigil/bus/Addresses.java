package io.vigil.bus;

/** Event-bus addresses Vigil publishes on and answers (README, "Event bus"). */
public final class Addresses {
  /** Every probe result, enriched with the check's state after thresholds and a seq (publish). */
  public static final String RESULT = "vigil.check.result";
  /** Each state change of a check, or of the whole with {@code check: "*"} (publish). */
  public static final String CHANGED = "vigil.status.changed";
  /** Request/reply: the current snapshot, the same JSON as {@code /health}, with its seq. */
  public static final String STATUS = "vigil.status";
  /** Lifecycle phases STARTING, READY, DRAINING, STOPPED (publish). */
  public static final String LIFECYCLE = "vigil.lifecycle";

  /**
   * Clustered only: the raw probe results of the member that ran them, for every other member's board
   * (publish: the bytes of a JSON array of replicas, the sender in header {@code member},
   * batched every 100 ms), so that every member holds the whole view. Not for subscribers: they follow {@link #RESULT}.
   */
  public static final String REPLICA = "vigil.cluster.result";

  /**
   * Clustered only, local only: the other members' results this member's board recorded, as
   * {@link #RESULT} carries them, in one JSON array per replica batch (publish). The member's own
   * {@code /events} follow it and {@link #RESULT} for its own probes, so a result reaches each member
   * once, as a replica, not a second time as an event.
   */
  public static final String VIEW = "vigil.cluster.view";

  private Addresses() {}
}

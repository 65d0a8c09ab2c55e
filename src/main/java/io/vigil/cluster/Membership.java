package io.vigil.cluster;

/**
 * Who does what in a cluster of Vigils: a check is probed, and its transitions announced, by its
 * owner only; the overall state is announced by the leader. A single process owns everything.
 */
public interface Membership {
  /** This member's id. */
  String self();

  /** Whether this member runs {@code check} now. */
  boolean owns(String check);

  /**
   * The address ({@code host:port} on the cluster network) of the member that owns {@code check}
   * now, for people and metric labels; null in a single process.
   */
  default String owner(String check) {
    return null;
  }

  /** Whether this member announces the overall state. */
  boolean leads();

  /** Whether results travel between members (false: a single process). */
  boolean clustered();

  /** This member drains: from now on it owns nothing and the others take its checks. */
  default void leave() {}

  /** Runs {@code listener} (on any thread) after each change of who owns what. */
  default void onChange(Runnable listener) {}

  /** A single process: it owns every check and leads. */
  Membership SINGLE = new Membership() {
    @Override
    public String self() {
      return "local";
    }

    @Override
    public boolean owns(String check) {
      return true;
    }

    @Override
    public boolean leads() {
      return true;
    }

    @Override
    public boolean clustered() {
      return false;
    }
  };
}

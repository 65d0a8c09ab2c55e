package io.vigil.notify;

import java.util.Locale;

/** What became of one delivery attempt or notification: the {@code outcome} label of {@code vigil_notifications_total}. */
enum Outcome {
  /** The receiver took it (2xx). */
  DELIVERED,
  /** An attempt failed (timeout, refused, 5xx, 429) and will be tried again after a backoff. */
  RETRIED,
  /** Older than the notifier's retry-for, or refused as malformed (4xx): given up. */
  FAILED,
  /** Pushed out of a full queue by a newer one. */
  DROPPED;

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}

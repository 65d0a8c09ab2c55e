package io.vigil.model;

import java.time.Instant;
import java.util.List;

/**
 * A silence set through the admin API: {@code checks} (empty means every check) are in maintenance
 * from {@code startsAt} until {@code endsAt}; {@code author} and {@code comment} say who and why.
 */
public record Silence(String id, List<String> checks, Instant startsAt, Instant endsAt, String author, String comment) {

  public Silence {
    checks = List.copyOf(checks);
  }

  public boolean covers(String check, Instant now) {
    return (checks.isEmpty() || checks.contains(check)) && !now.isBefore(startsAt) && now.isBefore(endsAt);
  }

  public boolean expired(Instant now) {
    return !now.isBefore(endsAt);
  }
}

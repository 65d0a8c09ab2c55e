package io.vigil.paging;

import io.vigil.model.CheckStatus;
import io.vigil.model.Severity;
import java.time.Instant;
import java.util.List;

/**
 * One notification to send: a root cause firing (first time or repeated) or resolved. {@code check}
 * is the root's status when paged; {@code affected} the checks DOWN because of it (folded into this
 * page, paged for nothing of their own); {@code recovered}, on a resolve, those of them that are UP
 * again. {@code startsAt} is when the root turned DOWN; {@code at} when this page was made.
 */
public record Page(Kind kind, boolean repeat, CheckStatus check, Severity severity, List<String> affected,
    List<String> recovered, Instant startsAt, Instant at, long seq) {

  /** Whether a page says a root cause fires or has ended. */
  public enum Kind { FIRING, RESOLVED }

  public Page {
    affected = List.copyOf(affected);
    recovered = List.copyOf(recovered);
  }

  public String name() {
    return check.name();
  }
}

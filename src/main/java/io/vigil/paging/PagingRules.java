package io.vigil.paging;

import io.vigil.model.CheckStatus;
import io.vigil.model.Severity;
import java.time.Duration;
import java.util.Set;

/**
 * What one notifier is paged for, and when. {@code checks} null means every check. A new root
 * cause waits {@code groupWait} before its first page, so that a check that failed just before its
 * dependency (and so looked like a root for a moment) turns dependent and is folded, not paged; a
 * firing one is paged again every {@code repeatInterval}.
 */
public record PagingRules(Set<String> checks, Severity minSeverity, Duration groupWait, Duration repeatInterval,
    boolean sendResolved) {

  public PagingRules {
    checks = checks == null ? null : Set.copyOf(checks);
  }

  /** True when this notifier watches {@code c}: named (or all are) and severe enough. */
  public boolean watches(CheckStatus c) {
    return (checks == null || checks.contains(c.name())) && Severity.of(c.critical()).atLeast(minSeverity);
  }
}

package io.vigil.faults;

import io.vigil.model.Reason;

/** One cell of the fault matrix: how fast the fault was seen, what the hold showed, how fast it healed. */
record CaseReport(Target target, Fault fault, Reason detectedAs, long detectedMs, Hold hold, long recoveredMs,
    Throwable failure) {

  String line() {
    return String.format("%-8s %-12s %-6s detected as %-18s in %5d ms; %s; recovered in %5d ms%s",
        target, fault, failure == null ? "ok" : "FAILED", detectedAs == null ? "-" : detectedAs.label(), detectedMs,
        hold == null ? "not held" : hold.line(), recoveredMs,
        failure == null ? "" : "; " + why(failure));
  }

  /** On the first line: a CI summary shows only that line of a failure's message. */
  private static String why(Throwable failure) {
    String message = failure instanceof AssertionError && failure.getMessage() != null
        ? failure.getMessage() : failure.toString();
    return message.replace('\n', ' ');
  }
}

package io.vigil.metrics;

/**
 * The families of per-check series, in the order they are written (by name, as the Prometheus
 * client orders its own). Each has its Prometheus name (a counter's without {@code _total}), the
 * dotted name the JSON rendering shows, as Micrometer would name the meter, and its help text.
 */
public enum Family {
  /** Present only while the check has a root cause: what Alertmanager's inhibit rules fold alerts by. */
  CAUSE("vigil_check_cause", "vigil.check.cause", Kind.GAUGE,
      "1 while the check fails because of another check, the root cause, named in the cause label"),
  CERT_EXPIRY("vigil_check_cert_expiry_timestamp_seconds", "vigil.check.cert.expiry.timestamp", Kind.GAUGE,
      "When the check's TLS certificate expires, in Unix time"),
  CONSECUTIVE_FAILURES("vigil_check_consecutive_failures", "vigil.check.consecutive.failures", Kind.GAUGE,
      "Failed probes in a row"),
  DURATION("vigil_check_duration_seconds", "vigil.check.duration", Kind.HISTOGRAM, "Probe latency"),
  /** The largest latency of the last one to two minutes, as Micrometer's timers report it. */
  DURATION_MAX("vigil_check_duration_seconds_max", "vigil.check.duration", Kind.GAUGE, "Probe latency"),
  FAILURES("vigil_check_failures", "vigil.check.failures", Kind.COUNTER, "Failed probes by the reason the check shows"),
  LAST_SUCCESS("vigil_check_last_success_timestamp_seconds", "vigil.check.last.success.timestamp", Kind.GAUGE,
      "When the last probe succeeded, in Unix time"),
  MAINTENANCE("vigil_check_maintenance", "vigil.check.maintenance", Kind.GAUGE,
      "1 while the check is in a maintenance window or a silence: its notifications are held back"),
  PROBES("vigil_check_probes", "vigil.check.probes", Kind.COUNTER, "Probes run"),
  STATE("vigil_check_state", "vigil.check.state", Kind.GAUGE,
      "State of the check as /health shows it: 1 for the current one, 0 for the others"),
  TRANSITIONS("vigil_check_transitions", "vigil.check.transitions", Kind.COUNTER, "State changes of a check by new state"),
  UP("vigil_check_up", "vigil.check.up", Kind.GAUGE, "1 when the check is UP after thresholds");

  /** Every family's name starts with this, and no other family's does. */
  public static final String PREFIX = "vigil_check_";

  public enum Kind { GAUGE, COUNTER, HISTOGRAM }

  private final String prometheusName;
  private final String meterName;
  private final Kind kind;
  private final String help;

  Family(String prometheusName, String meterName, Kind kind, String help) {
    this.prometheusName = prometheusName;
    this.meterName = meterName;
    this.kind = kind;
    this.help = help;
  }

  public String prometheusName() {
    return prometheusName;
  }

  public String meterName() {
    return meterName;
  }

  public Kind kind() {
    return kind;
  }

  public String help() {
    return help;
  }
}

package io.vigil.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Keeps hosts, ports, URLs and UUIDs out of label values. Vert.x names a connection pool after its
 * target ({@code vertx_pool_*{pool_name="127.0.0.1:6379"}}) or after a random UUID (a Redis client's
 * pool): a label that leaks the topology and, with UUIDs, grows a new series on every restart. Such a
 * value becomes {@value #REPLACEMENT}, so those pools add up into one series per pool type. Vigil's
 * own meters are left alone: their labels are check names, types, reasons and states.
 */
public final class NoAddressLabels implements MeterFilter {
  /** What a host, address or UUID label value reads instead. */
  public static final String REPLACEMENT = "unnamed";

  private static final Pattern ADDRESS = Pattern.compile(String.join("|",
      "[^\\s]*://.*",                                      // a URL
      ".*:\\d{1,5}",                                       // host:port, [::1]:port
      "\\d{1,3}(\\.\\d{1,3}){3}",                          // an IPv4 address
      "\\[?[0-9a-fA-F]*:[0-9a-fA-F:.]*\\]?",                // an IPv6 address
      "(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", // a UUID
      "(?i)localhost"));

  /** Whether a label value names a host, address, URL or UUID. */
  public static boolean isAddress(String value) {
    return value != null && ADDRESS.matcher(value).matches();
  }

  @Override
  public Meter.Id map(Meter.Id id) {
    if (id.getName().startsWith("vigil.")) {
      return id;
    }
    List<Tag> tags = new ArrayList<>();
    boolean changed = false;
    for (Tag t : id.getTagsAsIterable()) {
      if (isAddress(t.getValue())) {
        tags.add(Tag.of(t.getKey(), REPLACEMENT));
        changed = true;
      } else {
        tags.add(t);
      }
    }
    return changed ? id.replaceTags(tags) : id;
  }
}

package io.vigil.bridge;

import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;
import io.vigil.bus.Addresses;
import java.util.List;

/** What the bridge lets through: Vigil's public events out, the snapshot request in, nothing else. */
final class Permissions {
  /**
   * Addresses a client may register for, matched exactly: a pattern such as {@code vigil\..*} would
   * also let out {@code vigil.cluster.*}, the members' own traffic.
   */
  static final List<String> OUTBOUND = List.of(Addresses.RESULT, Addresses.CHANGED, Addresses.LIFECYCLE);
  /** Addresses a client may send to; {@link Clients} lets only requests (with a replyAddress) through. */
  static final List<String> INBOUND = List.of(Addresses.STATUS);

  private Permissions() {}

  static BridgeOptions options() {
    BridgeOptions options = new BridgeOptions();
    OUTBOUND.forEach(a -> options.addOutboundPermitted(new PermittedOptions().setAddress(a)));
    INBOUND.forEach(a -> options.addInboundPermitted(new PermittedOptions().setAddress(a)));
    return options;
  }
}

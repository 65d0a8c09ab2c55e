package io.vigil.bus;

/** The monitor's lifecycle phases, published on {@link Addresses#LIFECYCLE}. */
public enum Phase { STARTING, READY, DRAINING, STOPPED }

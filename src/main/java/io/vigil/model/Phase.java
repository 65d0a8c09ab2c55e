package io.vigil.model;

/** The monitor's lifecycle phases, published on {@code vigil.lifecycle}. */
public enum Phase { STARTING, READY, DRAINING, STOPPED }

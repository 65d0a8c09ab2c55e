package io.vigil.config;

/** Who sees check data and error text in {@code /health}. */
public enum Details { ALWAYS, AUTHORIZED, NEVER }

package io.vigil.config;

/** One configured check: its name, type, how it is run, and its type-specific settings. */
public record CheckConfig(String name, String type, CheckOptions options, CheckSettings settings) {}

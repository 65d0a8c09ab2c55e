package io.vigil.config;

import io.vigil.model.CheckOptions;

/** One configured check: its name, type, how it is run, and its type-specific settings. */
public record CheckConfig(String name, String type, CheckOptions options, CheckSettings settings) {}

package io.vigil.status;

import io.vigil.config.CheckOptions;

/** What the board needs to know of a check to judge its results. */
public record CheckSpec(String name, String type, CheckOptions options) {}

package io.vigil.model;

/** What the board needs to know of a check to judge its results. */
public record CheckSpec(String name, String type, CheckOptions options) {}

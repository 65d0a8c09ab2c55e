package io.vigil.config;

/** The type-specific part of a check's configuration (URL, URI, expectations). */
public interface CheckSettings {

  /** Secret values inside these settings (passwords), to be scrubbed from every output. */
  default java.util.List<String> secrets() {
    return java.util.List.of();
  }
}

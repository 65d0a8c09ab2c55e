package io.vigil.notify;

import io.vigil.paging.Page;
import java.time.Instant;

/** How one notifier type writes a page: one class per type of {@link io.vigil.config.NotifierType}. */
interface Format {

  /** The message for {@code page}, rendered at {@code now}; the text is free of secrets. */
  Message render(Page page, Instant now);

  /** The path below the configured URL to POST to ("" for the URL itself). */
  default String path() {
    return "";
  }
}

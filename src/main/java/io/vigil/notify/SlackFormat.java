package io.vigil.notify;

import io.vertx.core.json.JsonObject;
import io.vigil.paging.Page;
import java.time.Instant;
import java.util.Map;

/** A {@code slack} notifier's message in the incoming-webhook format: one line of text, the root first. */
final class SlackFormat implements Format {

  @Override
  public Message render(Page page, Instant now) {
    StringBuilder text = new StringBuilder();
    if (page.kind() == Page.Kind.FIRING) {
      text.append(":red_circle: *").append(page.name()).append("* is DOWN");
      if (page.check().reason() != null) {
        text.append(" (").append(page.check().reason().label()).append(')');
      }
      if (page.check().cause() != null && !page.check().cause().equals(page.name())) {
        text.append(" because *").append(page.check().cause()).append("* is DOWN");
      }
      if (!page.affected().isEmpty()) {
        text.append("; it took down ").append(String.join(", ", page.affected()));
      }
    } else {
      text.append(":large_green_circle: *").append(page.name()).append("* is ").append(page.check().state().name());
      if (!page.recovered().isEmpty()) {
        text.append("; recovered with it: ").append(String.join(", ", page.recovered()));
      }
    }
    text.append(" (since ").append(page.startsAt()).append(')');
    return new Message(new JsonObject().put("text", text.toString()).toBuffer(), Map.of("content-type", "application/json"));
  }
}

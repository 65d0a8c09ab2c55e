package io.vigil.notify;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.config.Secrets;
import io.vigil.paging.Page;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * An {@code alertmanager} notifier's alert for {@code /api/v2/alerts}, labelled as the shipped
 * Prometheus rules label theirs ({@code alertname}, {@code check}, {@code cause}, {@code role},
 * {@code severity}), so the shipped routes and inhibit rules apply alike. A firing alert ends at
 * four repeat intervals from now unless re-posted (Prometheus' own rule), so an alert whose sender
 * died resolves by itself; a resolve ends it now.
 */
final class AlertmanagerFormat implements Format {
  private final Duration repeat;
  private final Secrets secrets;

  AlertmanagerFormat(Duration repeat, Secrets secrets) {
    this.repeat = repeat;
    this.secrets = secrets;
  }

  @Override
  public String path() {
    return "/api/v2/alerts";
  }

  @Override
  public Message render(Page page, Instant now) {
    boolean firing = page.kind() == Page.Kind.FIRING;
    String cause = page.check().cause() == null || !firing ? page.name() : page.check().cause();
    JsonObject labels = new JsonObject()
        .put("alertname", page.check().critical() ? "VigilCheckDown" : "VigilNonCriticalCheckDown")
        .put("check", page.name())
        .put("cause", cause)
        .put("role", cause.equals(page.name()) ? "root" : "dependent")
        .put("severity", page.severity().label())
        .put("source", "vigil");
    String reason = page.check().reason() == null ? "" : " (" + page.check().reason().label() + ")";
    JsonObject annotations = new JsonObject()
        .put("summary", page.name() + " is DOWN" + reason)
        .put("affected", String.join(", ", page.affected()));
    if (page.check().message() != null) {
      annotations.put("description", secrets.scrub(page.check().message()));
    }
    JsonObject alert = new JsonObject()
        .put("labels", labels)
        .put("annotations", annotations)
        .put("startsAt", page.startsAt().toString())
        .put("endsAt", (firing ? now.plus(repeat.multipliedBy(4)) : now).toString());
    return new Message(new JsonArray().add(alert).toBuffer(), Map.of("content-type", "application/json"));
  }
}

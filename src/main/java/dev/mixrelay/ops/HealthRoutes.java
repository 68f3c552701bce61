package dev.mixrelay.ops;

import dev.mixrelay.deliver.DestinationState;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code GET /health}: 200 while the process is up. {@code GET /ready}: 200 while intake accepts,
 * else 503 with the reasons (log not writable, log over capacity, a destination unauthorised).
 * Its body also says how each destination's delivery stands ({@code destinations}), which does
 * not change the status: a failing destination's messages wait safely in the log.
 */
public final class HealthRoutes {
  private final Supplier<List<String>> notReadyReasons;
  private final Supplier<JsonObject> destinations;

  public HealthRoutes(Supplier<List<String>> notReadyReasons) {
    this(notReadyReasons, () -> null);
  }

  /** With {@code destinations}: each destination's state, added to /ready's body. */
  public HealthRoutes(Supplier<List<String>> notReadyReasons, Supplier<JsonObject> destinations) {
    this.notReadyReasons = notReadyReasons;
    this.destinations = destinations;
  }

  /** One destination's state as /ready shows it. */
  public static JsonObject describe(DestinationState s) {
    JsonObject o = new JsonObject().put("state", s.state());
    if (!s.ok()) {
      o.put("since", s.since() == null ? null : s.since().toString()).put("cause", s.cause())
          .put("failedRequests", s.failedRequests()).put("waitingRecords", s.waitingRecords());
    }
    return o;
  }

  public void mount(Router router) {
    router.get("/health").handler(ctx -> ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end("{\"status\":\"up\"}"));
    router.get("/ready").handler(ctx -> {
      List<String> reasons = notReadyReasons.get();
      JsonObject body = new JsonObject().put("ready", reasons.isEmpty());
      if (!reasons.isEmpty()) {
        body.put("reasons", new JsonArray(List.copyOf(reasons)));
      }
      JsonObject states = destinations.get();
      if (states != null) {
        body.put("destinations", states);
      }
      ctx.response().setStatusCode(reasons.isEmpty() ? 200 : 503)
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
    });
  }
}

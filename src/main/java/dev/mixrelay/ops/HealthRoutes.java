package dev.mixrelay.ops;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code GET /health}: 200 while the process is up. {@code GET /ready}: 200 while intake accepts,
 * else 503 with the reasons (log not writable, log over capacity, a destination unauthorised).
 */
public final class HealthRoutes {
  private final Supplier<List<String>> notReadyReasons;

  public HealthRoutes(Supplier<List<String>> notReadyReasons) {
    this.notReadyReasons = notReadyReasons;
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
      ctx.response().setStatusCode(reasons.isEmpty() ? 200 : 503)
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
    });
  }
}

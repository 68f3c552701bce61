package dev.mixrelay.ops;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The admin API under {@code /admin}, guarded by {@code admin.token} ({@code Authorization: Bearer
 * TOKEN}, compared in constant time); not mounted at all while no token is set.
 * {@code GET /admin/status}, {@code GET /admin/dead-letters?destination=&after=&limit=},
 * {@code POST /admin/dead-letters/replay} (body {@code {"destination": ..., "ids": [...]}}, both
 * optional), {@code GET /admin/users/{id}} (404 when the relay holds nothing for the id).
 */
public final class AdminRoutes {
  /** What the admin API can do; the wiring implements it. */
  public interface Actions {
    JsonObject status();

    Future<JsonObject> deadLetters(String destination, long afterId, int limit);

    Future<JsonObject> replay(JsonObject request);

    /**
     * What the relay holds for a user id or anonymous id (identity links, super properties, open
     * sessions, per destination); completes with null when it holds nothing.
     */
    Future<JsonObject> user(String id);
  }

  private final byte[] token;
  private final Actions actions;

  public AdminRoutes(String token, Actions actions) {
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.actions = actions;
  }

  public void mount(Router router) {
    router.route("/admin/*").handler(this::guard);
    router.get("/admin/status").handler(ctx -> json(ctx, 200, actions.status()));
    router.get("/admin/dead-letters").handler(ctx -> {
      String destination = ctx.request().getParam("destination");
      long after = longParam(ctx, "after", 0);
      int limit = (int) Math.min(1000, Math.max(1, longParam(ctx, "limit", 100)));
      respond(ctx, actions.deadLetters(destination, after, limit));
    });
    router.get("/admin/users/:id").handler(ctx -> {
      String id = ctx.pathParam("id");
      actions.user(id).onComplete(ar -> {
        if (ar.failed()) {
          json(ctx, 500, error("looking up the user failed: " + ar.cause().getMessage()));
        } else if (ar.result() == null) {
          json(ctx, 404, error("the relay holds nothing for the id '" + id
              + "' (no identity link, super property or open session in any destination)"));
        } else {
          json(ctx, 200, ar.result());
        }
      });
    });
    router.post("/admin/dead-letters/replay").handler(BodyHandler.create(false).setBodyLimit(1 << 20))
        .handler(ctx -> {
          JsonObject req;
          try {
            String body = ctx.body().asString();
            req = body == null || body.isBlank() ? new JsonObject() : new JsonObject(body);
          } catch (RuntimeException e) {
            json(ctx, 400, error("the body must be a JSON object such as {\"destination\": \"main\", \"ids\": [1, 2]}"));
            return;
          }
          respond(ctx, actions.replay(req));
        });
  }

  private void guard(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    String given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : "";
    if (!MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8))) {
      json(ctx, 401, error("admin endpoints need Authorization: Bearer <admin.token>"));
      return;
    }
    ctx.next();
  }

  private static long longParam(RoutingContext ctx, String name, long fallback) {
    String v = ctx.request().getParam(name);
    try {
      return v == null ? fallback : Long.parseLong(v);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static void respond(RoutingContext ctx, Future<JsonObject> f) {
    f.onComplete(ar -> json(ctx, ar.succeeded() ? 200 : 400,
        ar.succeeded() ? ar.result() : error(ar.cause().getMessage())));
  }

  static JsonObject error(String message) {
    return new JsonObject().put("success", false).put("error", message);
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(body.encode());
    }
  }
}

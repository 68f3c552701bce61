package dev.mixrelay.app;

import dev.mixrelay.config.ServerConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.function.Consumer;

/** One HTTP server instance (one per event loop) serving the routes the relay mounts. */
final class HttpVerticle extends VerticleBase {
  private final ServerConfig config;
  private final Consumer<Router> routes;
  private final int port;
  private HttpServer server;

  HttpVerticle(ServerConfig config, Consumer<Router> routes, int port) {
    this.config = config;
    this.routes = routes;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    routes.accept(router);
    router.errorHandler(404, ctx -> error(ctx, 404, "not_found", "no such path: "
        + ctx.request().method() + " " + ctx.normalizedPath() + " (intake is under /v1/ and"
        + " /webhook; see /health, /ready, /metrics)"));
    router.errorHandler(405, ctx -> error(ctx, 405, "method_not_allowed", ctx.request().method()
        + " is not allowed on " + ctx.normalizedPath() + (ctx.normalizedPath().startsWith("/v1/")
        || ctx.normalizedPath().startsWith("/webhook") ? " (send POST)" : "")));
    router.errorHandler(500, ctx -> error(ctx, 500, "internal_error",
        "the relay could not handle the request"));
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.host())
        .setPort(port)
        .setIdleTimeout((int) config.idleTimeout().toSeconds())
        .setCompressionSupported(false)
        .setDecompressionSupported(false);
    if (config.tls() != null) {
      options.setSsl(true).setUseAlpn(true)
          .setKeyCertOptions(new PemKeyCertOptions().setCertPath(config.tls().certFile())
              .setKeyPath(config.tls().keyFile()));
    }
    server = vertx.createHttpServer(options).requestHandler(router);
    return server.listen();
  }

  /** Every answer the routes do not make themselves is JSON with {@code error} and {@code code}. */
  private static void error(RoutingContext ctx, int status, String code, String message) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("success", false).put("error", message).put("code", code)
            .put("message", message).encode());
  }

  int actualPort() {
    return server.actualPort();
  }

  /** Stops accepting, lets in-flight requests finish within the timeout. */
  Future<Void> shutdown(Duration timeout) {
    return server == null ? Future.succeededFuture() : server.shutdown(timeout);
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}

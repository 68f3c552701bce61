package dev.mixrelay.app;

import dev.mixrelay.config.ServerConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
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

package dev.mixrelay.ops;



import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The live debugger page: {@code GET /debugger} (the page, from {@code debugger/} in the jar),
 * its script, style and icon, and {@code GET /debugger/events} (server-sent events: {@code hello},
 * then {@code row} and {@code stats}). The page and its stream want the admin token, as {@code
 * Authorization: Bearer} or once as {@code ?token=} (an EventSource cannot send headers),
 * compared in constant time; the script, style and icon hold nothing secret and are served to anyone.
 * Not mounted at all while no admin token is set.
 */
public final class DebuggerRoutes {
  private static final long FLUSH_MS = 200;
  private static final long PING_MS = 5_000;
  private static final int ROWS_PER_FLUSH = 100;
  private static final List<String> TYPES =
      List.of("identify", "track", "page", "screen", "group", "alias");

  private final byte[] tokenDigest;
  private final Debugger debugger;
  private final List<String> sources;
  private final Buffer page = resource("index.html");
  private final Buffer script = resource("app.js");
  private final Buffer style = resource("app.css");
  private final Buffer icon = resource("favicon.svg");
  private final Map<Runnable, HttpConnection> streams = new ConcurrentHashMap<>();

  public DebuggerRoutes(String adminToken, Debugger debugger, List<String> sources) {
    this.tokenDigest = digest(adminToken);
    this.debugger = debugger;
    this.sources = List.copyOf(sources);
  }

  public void mount(Router router) {
    router.get("/debugger").handler(this::guard).handler(ctx -> serve(ctx, page, "text/html"));
    router.get("/debugger/app.js").handler(ctx -> serve(ctx, script, "text/javascript"));
    router.get("/debugger/app.css").handler(ctx -> serve(ctx, style, "text/css"));
    router.get("/debugger/favicon.svg").handler(ctx -> serve(ctx, icon, "image/svg+xml"));
    router.get("/debugger/events").handler(this::guard).handler(this::stream);
  }

  private void guard(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    String given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
        ? header.substring(7).trim() : ctx.request().getParam("token");
    if (given == null || !MessageDigest.isEqual(tokenDigest, digest(given))) {
      ctx.response().setStatusCode(401).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
          .end("the debugger needs the admin token: open /debugger?token=<admin.token>\n");
      return;
    }
    ctx.next();
  }

  private void stream(RoutingContext ctx) {
    var q = ctx.request().params();
    DebugViewer viewer = new DebugViewer(
        DebugFilter.of(q.get("source"), q.get("type"), q.get("user"), q.get("event")));
    HttpServerResponse res = ctx.response().setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    JsonObject hello = new JsonObject().put("sources", new JsonArray(sources))
        .put("types", new JsonArray(TYPES)).put("rowsPerSecond", DebugViewer.ROWS_PER_SECOND);
    res.write("retry: 2000\nevent: hello\ndata: " + hello.encode() + "\n\n");
    debugger.connect(viewer);
    long[] idleTicks = {0};
    long[] lastMatched = {-1};
    long timer = ctx.vertx().setPeriodic(FLUSH_MS, t -> flush(res, viewer, idleTicks, lastMatched));
    AtomicBoolean closed = new AtomicBoolean();
    Runnable close = () -> {
      if (closed.compareAndSet(false, true)) {
        ctx.vertx().cancelTimer(timer);
        debugger.disconnect(viewer);
      }
    };
    HttpConnection connection = ctx.request().connection();
    Runnable end = () -> {
      close.run();
      if (!res.ended()) {
        res.end();
      }
    };
    streams.put(end, connection);
    res.closeHandler(v -> {
      streams.remove(end);
      close.run();
    });
    res.exceptionHandler(e -> close.run());
    // the relay is stopping: live streams must not hold up the graceful shutdown (an HTTP/2
    // connection may carry several, and has one shutdown handler)
    connection.shutdownHandler(v -> streams.forEach((stream, on) -> {
      if (on == connection) {
        streams.remove(stream);
        stream.run();
      }
    }));
  }

  /** Writes the viewer's waiting rows (unless its connection is behind) and its counts. */
  private static void flush(HttpServerResponse res, DebugViewer viewer, long[] idleTicks,
      long[] lastMatched) {
    if (res.ended() || res.writeQueueFull()) {
      return;
    }
    StringBuilder out = new StringBuilder();
    String row;
    for (int i = 0; i < ROWS_PER_FLUSH && (row = viewer.poll()) != null; i++) {
      out.append("event: row\ndata: ").append(row).append("\n\n");
    }
    if (viewer.matched() != lastMatched[0]) {
      lastMatched[0] = viewer.matched();
      out.append("event: stats\ndata: {\"matched\":").append(viewer.matched())
          .append(",\"shown\":").append(viewer.shown()).append("}\n\n");
    }
    if (out.length() == 0 && ++idleTicks[0] >= PING_MS / FLUSH_MS) {
      out.append(": ping\n\n"); // keeps proxies and the server's idle timeout from closing it
    }
    if (out.length() > 0) {
      idleTicks[0] = 0;
      res.write(out.toString());
    }
  }

  private static void serve(RoutingContext ctx, Buffer body, String type) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, type + "; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Content-Security-Policy", "default-src 'self'; base-uri 'none'; frame-ancestors 'none'")
        .end(body);
  }

  private static Buffer resource(String name) {
    try (InputStream in = DebuggerRoutes.class.getResourceAsStream("/debugger/" + name)) {
      if (in == null) {
        throw new IllegalStateException("debugger/" + name + " is missing from the jar");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] digest(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

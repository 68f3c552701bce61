package dev.mixrelay.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.RelayConfig;
import dev.mixrelay.config.ServerConfig;
import dev.mixrelay.config.SourceConfig;
import dev.mixrelay.log.IntakeAppender;
import dev.mixrelay.log.LogEntry;
import dev.mixrelay.segment.MessageType;
import dev.mixrelay.segment.SegmentJson;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.PlatformHandler;
import io.vertx.ext.web.handler.TimeoutHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The Segment HTTP Tracking API ({@code /v1/track} ... {@code /v1/batch}, {@code /v1/import}) and
 * the webhook intake ({@code /webhook/{writeKey}}). A request is answered 200 only after its
 * messages are durably in the log; every refusal is a 4xx/5xx JSON body naming the problem.
 */
public final class IntakeRoutes {
  private static final String RETRY_AFTER_SECONDS = "5";

  private final RelayConfig config;
  private final ServerConfig server;
  private final IntakeAppender log;
  private final IntakeListener listener;
  private final RejectionSummary summary;
  private volatile IntakeTap tap = IntakeTap.NONE;
  private final Clock clock;
  private final MessageAdmission admission;
  private final SourceLimits limits;
  private final java.util.concurrent.atomic.AtomicBoolean backPressure =
      new java.util.concurrent.atomic.AtomicBoolean();
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(IntakeRoutes.class);

  public IntakeRoutes(RelayConfig config, IntakeAppender log, IntakeListener listener, Clock clock) {
    this.config = config;
    this.server = config.server();
    this.log = log;
    this.summary = new RejectionSummary(listener, clock);
    this.listener = summary;
    this.clock = clock;
    this.limits = new SourceLimits(clock);
    this.admission = new MessageAdmission(config);
  }

  /**
   * Logs the refusals counted in a minute that is over (call it on a timer, e.g. every 10 s): the
   * summary otherwise waits for the next refusal.
   */
  public void summariseRefusals() {
    summary.summariseDue();
  }

  /** Shows the live debugger the messages intake refuses (only while it has a viewer). */
  public void tap(IntakeTap tap) {
    this.tap = tap == null ? IntakeTap.NONE : tap;
  }

  /** Adds the intake routes to {@code router}. */
  public void mount(Router router) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(server.maxRequestBytes())
        .setHandleFileUploads(false);
    PlatformHandler gate = this::gate;
    TimeoutHandler timeout = TimeoutHandler.create(server.requestTimeout().toMillis(), 408);
    for (MessageType t : MessageType.values()) {
      String path = "/v1/" + t.wireName();
      for (String p : List.of(path, path + "/")) {
        router.route(HttpMethod.POST, p).handler(timeout).handler(gate).handler(body)
            .handler(ctx -> handle(ctx, Kind.SINGLE, t));
      }
    }
    for (String p : List.of("/v1/batch", "/v1/batch/", "/v1/import", "/v1/import/")) {
      router.route(HttpMethod.POST, p).handler(timeout).handler(gate).handler(body)
          .handler(ctx -> handle(ctx, Kind.BATCH, null));
    }
    for (String p : List.of("/webhook", "/webhook/", "/webhook/:writeKey")) {
      router.route(HttpMethod.POST, p).handler(timeout).handler(gate).handler(body)
          .handler(ctx -> handle(ctx, Kind.WEBHOOK, null));
    }
    router.route("/v1/*").failureHandler(this::failure);
    router.route("/webhook*").failureHandler(this::failure);
  }

  private enum Kind { SINGLE, BATCH, WEBHOOK }

  /** Refuses before the body is read: over capacity, or the log cannot take writes. */
  private void gate(RoutingContext ctx) {
    boolean full = log.overCapacity();
    if (backPressure.compareAndSet(!full, full)) {
      listener.backPressure(full);
      if (full) {
        LOG.warn("back-pressure on: the intake log holds more than storage.maxLogBytes unacknowledged;"
            + " intake answers 503 until delivery catches up");
      } else {
        LOG.info("back-pressure off: intake accepts again");
      }
    }
    if (full) {
      listener.rejected("-", "back_pressure");
      reply(ctx, new IntakeError(503, "back_pressure",
          "the relay's intake log is full; retry later"), true);
      return;
    }
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (type != null && !type.toLowerCase(java.util.Locale.ROOT).contains("json")) {
      listener.rejected("-", "content_type");
      reply(ctx, new IntakeError(415, "unsupported_content_type",
          "Content-Type must be application/json, was '" + RequestBodies.clip(type) + "'"), false);
      return;
    }
    ctx.next();
  }

  private void failure(RoutingContext ctx) {
    int status = ctx.statusCode();
    if (status == 408) {
      listener.rejected("-", "request_timeout");
      reply(ctx, new IntakeError(408, "request_timeout",
          "the request was not complete within " + server.requestTimeout().toSeconds() + " s"), false);
    } else if (status == 413) {
      listener.rejected("-", "request_too_large");
      reply(ctx, new IntakeError(413, "request_too_large",
          "the request body is larger than " + server.maxRequestBytes() + " bytes"), false);
    } else if (ctx.failure() instanceof RequestBodies.Refused r) {
      reply(ctx, r.error, false);
    } else {
      reply(ctx, new IntakeError(status > 0 ? status : 500, "internal_error",
          "the relay could not handle the request"), status >= 500 || status < 0);
    }
  }

  private void handle(RoutingContext ctx, Kind kind, MessageType implied) {
    Instant receivedAt = clock.instant();
    String sourceName = "-";
    try {
      byte[] bytes = RequestBodies.decode(ctx.body().buffer(),
          ctx.request().getHeader(HttpHeaders.CONTENT_ENCODING), server.maxRequestBytes());
      JsonNode root = parse(bytes);
      SourceConfig source = authenticate(ctx, kind, root);
      sourceName = source.name();
      Optional<IntakeError> limited = limits.check(source, bytes.length);
      if (limited.isPresent()) {
        listener.rejected(sourceName, "rate_limited");
        reply(ctx, limited.get(), true);
        return;
      }
      if (kind == Kind.WEBHOOK && source.webhookSecret() != null
          && !WebhookSignature.valid(source.webhookSecret(), bytes, ctx.request().getHeader("X-Signature"))) {
        throw refused(401, "invalid_signature", "X-Signature is missing or does not match the body");
      }
      accept(ctx, source, items(kind, implied, root, bytes, receivedAt, sourceName));
    } catch (RequestBodies.Refused r) {
      listener.rejected(sourceName, r.error.code());
      reply(ctx, r.error, false);
    }
  }

  private JsonNode parse(byte[] bytes) {
    if (bytes.length == 0) {
      throw refused(400, "invalid_json", "the request body is empty");
    }
    try {
      JsonNode root = SegmentJson.MAPPER.readTree(bytes);
      if (root == null || root.isMissingNode()) {
        throw refused(400, "invalid_json", "the request body is empty");
      }
      return root;
    } catch (StreamConstraintsException e) {
      throw refused(400, "invalid_json", "the JSON is nested deeper than "
          + SegmentJson.MAX_NESTING_DEPTH + " levels or has an oversized value");
    } catch (JsonProcessingException e) {
      throw refused(400, "invalid_json", "malformed JSON at line " + e.getLocation().getLineNr()
          + ", column " + e.getLocation().getColumnNr() + ": " + plain(e.getOriginalMessage()));
    } catch (IOException e) {
      throw refused(400, "invalid_json", "the body could not be read as JSON");
    }
  }

  private SourceConfig authenticate(RoutingContext ctx, Kind kind, JsonNode root) {
    String key = basicUser(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
    if (key == null && kind == Kind.WEBHOOK) {
      key = ctx.pathParam("writeKey");
    }
    if (key == null && root instanceof ObjectNode o && o.get("writeKey") != null
        && o.get("writeKey").isTextual()) {
      key = o.get("writeKey").asText();
    }
    if (key == null || key.isEmpty()) {
      throw refused(401, "missing_write_key",
          "no write key: send it as the Basic auth user name or as writeKey in the body");
    }
    return config.sourceForWriteKey(key)
        .orElseThrow(() -> refused(401, "unknown_write_key", "the write key is not configured here"));
  }

  private static String basicUser(String header) {
    if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    try {
      String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()),
          StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      String user = colon < 0 ? decoded : decoded.substring(0, colon);
      return user.isEmpty() ? null : user;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Validates every message; the good ones become log entries, the bad ones rejections. */
  private Items items(Kind kind, MessageType implied, JsonNode root, byte[] bytes, Instant receivedAt,
      String source) {
    ObjectNode batch = null;
    List<JsonNode> raw = new ArrayList<>();
    switch (kind) {
      case SINGLE -> {
        if (!root.isObject()) {
          throw refused(400, "invalid_body", "the body must be a JSON object (one message)");
        }
        if (bytes.length > server.maxMessageBytes()) {
          throw refused(400, "message_too_large",
              "the message is larger than " + server.maxMessageBytes() + " bytes");
        }
        raw.add(root);
      }
      case BATCH -> {
        JsonNode list = root.get("batch");
        if (!root.isObject() || list == null || !list.isArray()) {
          throw refused(400, "invalid_body", "batch: must be a JSON array of messages");
        }
        batch = (ObjectNode) root;
        list.forEach(raw::add);
      }
      default -> {
        if (root.isArray()) {
          root.forEach(raw::add);
        } else if (root.isObject()) {
          raw.add(root);
        } else {
          throw refused(400, "invalid_body", "the body must be a message or a JSON array of messages");
        }
      }
    }
    if (raw.isEmpty()) {
      throw refused(400, "invalid_body", "the request holds no messages");
    }
    if (raw.size() > server.maxBatchMessages()) {
      throw refused(400, "batch_too_large", "the batch holds " + raw.size()
          + " messages; at most " + server.maxBatchMessages() + " are accepted");
    }
    Items items = new Items();
    IntakeTap watching = tap.active() ? tap : null;
    for (int i = 0; i < raw.size(); i++) {
      // admission normalises the message in place: the debugger sees it as it was sent
      JsonNode sent = watching == null ? null : raw.get(i).deepCopy();
      MessageAdmission.Outcome o = admission.admit(raw.get(i), implied, batch, receivedAt, source,
          kind != Kind.SINGLE);
      if (o instanceof MessageAdmission.Accepted ok) {
        items.entries.add(ok.entry());
        items.types.add(ok.type().wireName());
      } else {
        MessageAdmission.Rejected bad = (MessageAdmission.Rejected) o;
        items.reject(i, bad.error());
        listener.rejected(source, bad.code());
        if (watching != null) {
          watching.refused(source, sent, bad.error());
        }
      }
    }
    if (items.entries.isEmpty()) {
      String first = items.rejected.getJsonObject(0).getString("error");
      throw new RequestBodies.Refused(new IntakeError(400, "invalid_message",
          (raw.size() == 1 ? "" : "every message was rejected; the first: ") + first,
          raw.size() == 1 ? null : items.rejected));
    }
    return items;
  }

  private void accept(RoutingContext ctx, SourceConfig source, Items items) {
    log.appendOnce(items.entries).onComplete(ar -> {
      if (ar.succeeded()) {
        java.util.BitSet duplicates = ar.result().duplicates();
        for (int i = 0; i < items.types.size(); i++) {
          if (duplicates.get(i)) {
            listener.duplicate(source.name(), items.types.get(i));
            IntakeTap watching = tap;
            if (watching.active()) {
              watching.duplicate(source.name(), items.entries.get(i).parsed());
            }
          } else {
            listener.accepted(source.name(), items.types.get(i));
          }
        }
        JsonObject ok = new JsonObject().put("success", true);
        if (!items.rejected.isEmpty()) {
          ok.put("rejected", items.rejected);
        }
        ctx.response().setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(ok.encode());
      } else {
        listener.rejected(source.name(), "log_unavailable");
        reply(ctx, new IntakeError(503, "log_unavailable",
            "the relay could not store the messages; retry later"), true);
      }
    });
  }

  /** The parser's message without its own details (source descriptions, feature names, codes). */
  static String plain(String parserMessage) {
    if (parserMessage == null) {
      return "not valid JSON";
    }
    String m = parserMessage;
    for (String internal : List.of(" (start marker at", " at [Source", "[Source", "\n")) {
      int cut = m.indexOf(internal);
      if (cut >= 0) {
        m = m.substring(0, cut);
      }
    }
    return m.replaceAll("\\s*\\(code \\d+\\)", "").replace("`", "").strip();
  }

  private static void reply(RoutingContext ctx, IntakeError error, boolean retryAfter) {
    if (ctx.response().ended()) {
      return;
    }
    var resp = ctx.response().setStatusCode(error.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    if (retryAfter && !resp.headers().contains(HttpHeaders.RETRY_AFTER)) {
      resp.putHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
    }
    resp.end(error.body().encode());
  }

  private static RequestBodies.Refused refused(int status, String code, String message) {
    return new RequestBodies.Refused(new IntakeError(status, code, message));
  }

  /** The accepted entries and the rejected indexes of one request. */
  private static final class Items {
    final List<LogEntry> entries = new ArrayList<>();
    final List<String> types = new ArrayList<>();
    final JsonArray rejected = new JsonArray();

    void reject(int index, String error) {
      rejected.add(new JsonObject().put("index", index).put("error", error));
    }
  }
}

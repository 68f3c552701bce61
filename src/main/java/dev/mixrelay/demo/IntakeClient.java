package dev.mixrelay.demo;

import dev.mixrelay.ingest.MessageAdmission;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Posts batches of Segment messages to a relay's own {@code /v1/batch} over loopback, as the demo
 * does: waits out back-pressure (503/429 with {@code Retry-After}) on a Vert.x timer and retries;
 * counts what intake accepted and what it rejected, by reason. Any other refusal of the whole
 * request fails the returned future.
 */
public final class IntakeClient implements AutoCloseable {
  /** At most this many distinct rejection reasons are kept apart; the rest count as "other". */
  private static final int MAX_REASONS = 50;
  private static final long DEFAULT_RETRY_MS = 1000;
  private static final int MAX_CONNECTION_RETRIES = 5;

  private final Vertx vertx;
  private final WebClient client;
  private final int port;
  private final String authorization;

  /** What intake answered for one batch. */
  public record Result(int accepted, Map<String, Integer> rejectedByReason, int retries) {
    int rejected() {
      return rejectedByReason.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  /** The relay refused a whole batch for a reason retrying will not fix. */
  static final class Refused extends Exception {
    final int status;
    final String code;

    Refused(int status, String code, String message) {
      super("the relay refused the batch with " + status + " " + code + ": " + message);
      this.status = status;
      this.code = code;
    }
  }

  /**
   * A client of the relay listening on loopback {@code port}; with {@code tls}, over HTTPS trusting
   * the relay's own certificate (whatever it is: the connection never leaves the machine).
   */
  public IntakeClient(Vertx vertx, int port, String writeKey, boolean tls) {
    this.vertx = vertx;
    this.port = port;
    WebClientOptions options = new WebClientOptions().setKeepAlive(true);
    if (tls) {
      options.setSsl(true).setTrustAll(true).setVerifyHost(false);
    }
    this.client = WebClient.create(vertx, options);
    this.authorization = "Basic " + Base64.getEncoder()
        .encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
  }

  /** Posts the messages (each one JSON object, already serialised) as one batch. */
  public Future<Result> post(List<byte[]> messages) {
    Buffer body = Buffer.buffer(64 + messages.stream().mapToInt(m -> m.length + 1).sum());
    body.appendString("{\"batch\":[");
    for (int i = 0; i < messages.size(); i++) {
      if (i > 0) {
        body.appendByte((byte) ',');
      }
      body.appendBytes(messages.get(i));
    }
    body.appendString("]}");
    Promise<Result> done = Promise.promise();
    attempt(body, messages.size(), 0, 0, done);
    return done.future();
  }

  private void attempt(Buffer body, int count, int retries, int connectionFailures,
      Promise<Result> done) {
    client.post(port, "127.0.0.1", "/v1/batch")
        .putHeader("Content-Type", "application/json")
        .putHeader("Authorization", authorization)
        .sendBuffer(body)
        .onFailure(e -> {
          if (connectionFailures + 1 >= MAX_CONNECTION_RETRIES) {
            done.fail(new IllegalStateException("cannot reach the relay's intake: " + e.getMessage()));
          } else {
            vertx.setTimer(DEFAULT_RETRY_MS,
                t -> attempt(body, count, retries + 1, connectionFailures + 1, done));
          }
        })
        .onSuccess(resp -> {
          int status = resp.statusCode();
          if (status == 503 || status == 429) {
            vertx.setTimer(retryAfterMillis(resp.getHeader("Retry-After")),
                t -> attempt(body, count, retries + 1, connectionFailures, done));
          } else if (status == 200) {
            done.complete(accepted(resp, count, retries));
          } else if (status == 400 && "invalid_message".equals(code(resp))) {
            done.complete(allRejected(resp, count, retries));
          } else {
            done.fail(new Refused(status, code(resp), message(resp)));
          }
        });
  }

  static long retryAfterMillis(String header) {
    if (header == null) {
      return DEFAULT_RETRY_MS;
    }
    try {
      return Math.max(100, Math.min(60_000, Long.parseLong(header.trim()) * 1000));
    } catch (NumberFormatException e) {
      return DEFAULT_RETRY_MS;
    }
  }

  private static Result accepted(HttpResponse<Buffer> resp, int count, int retries) {
    JsonObject body = resp.bodyAsJsonObject();
    JsonArray rejected = body == null ? null : body.getJsonArray("rejected");
    Map<String, Integer> reasons = reasons(rejected);
    int refused = rejected == null ? 0 : rejected.size();
    return new Result(count - refused, reasons, retries);
  }

  private static Result allRejected(HttpResponse<Buffer> resp, int count, int retries) {
    JsonObject body = resp.bodyAsJsonObject();
    JsonArray rejected = body.getJsonArray("rejected");
    if (rejected == null) {
      Map<String, Integer> one = new LinkedHashMap<>();
      one.put(MessageAdmission.Rejected.reason(body.getString("error", "invalid message")), count);
      return new Result(0, one, retries);
    }
    return new Result(0, reasons(rejected), retries);
  }

  private static Map<String, Integer> reasons(JsonArray rejected) {
    Map<String, Integer> reasons = new LinkedHashMap<>();
    if (rejected != null) {
      for (int i = 0; i < rejected.size(); i++) {
        String r = MessageAdmission.Rejected.reason(rejected.getJsonObject(i).getString("error", "invalid message"));
        if (!reasons.containsKey(r) && reasons.size() >= MAX_REASONS) {
          r = "other";
        }
        reasons.merge(r, 1, Integer::sum);
      }
    }
    return reasons;
  }

  private static String code(HttpResponse<Buffer> resp) {
    try {
      JsonObject body = resp.bodyAsJsonObject();
      return body == null ? null : body.getString("code");
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String message(HttpResponse<Buffer> resp) {
    try {
      JsonObject body = resp.bodyAsJsonObject();
      return body == null ? "" : body.getString("error", "");
    } catch (RuntimeException e) {
      return resp.bodyAsString();
    }
  }

  @Override
  public void close() {
    client.close();
  }
}

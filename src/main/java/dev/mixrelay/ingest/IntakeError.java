package dev.mixrelay.ingest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A refusal at the front door: HTTP status, a stable code and a message naming the problem. The
 * body carries {@code error} (what the clients read) and {@code code}/{@code message}
 * (what analytics-python reads), never a secret.
 */
record IntakeError(int status, String code, String message, JsonArray rejected) {

  IntakeError(int status, String code, String message) {
    this(status, code, message, null);
  }

  JsonObject body() {
    JsonObject o = new JsonObject().put("success", false).put("error", message).put("code", code)
        .put("message", message);
    if (rejected != null) {
      o.put("rejected", rejected);
    }
    return o;
  }

  static IntakeError badRequest(String code, String message) {
    return new IntakeError(400, code, message);
  }
}

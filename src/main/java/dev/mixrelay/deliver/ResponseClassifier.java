package dev.mixrelay.deliver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mixrelay.deliver.DeliveryOutcome.Delivered;
import dev.mixrelay.deliver.DeliveryOutcome.PartiallyRejected;
import dev.mixrelay.deliver.DeliveryOutcome.Rejected;
import dev.mixrelay.deliver.DeliveryOutcome.Rejection;
import dev.mixrelay.deliver.DeliveryOutcome.Retryable;
import dev.mixrelay.deliver.DeliveryOutcome.TooLarge;
import dev.mixrelay.deliver.DeliveryOutcome.Unauthorized;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Classifies a Mixpanel response as one pure function of (status, body, headers): no I/O, no
 * clock (the current time is a parameter, used only for an HTTP-date {@code Retry-After}).
 */
final class ResponseClassifier {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(10);

  private ResponseClassifier() {}

  /**
   * The outcome of a response.
   *
   * @param header looks up a response header by name (case-insensitive), null when absent
   */
  static DeliveryOutcome classify(int status, String body, UnaryOperator<String> header,
      Instant now) {
    if (status == 401 || status == 403) {
      return new Unauthorized(status + " " + errorText(body, "credentials refused"));
    }
    if (status == 413) {
      return new TooLarge(errorText(body, "request too large"));
    }
    if (status == 429) {
      return new Retryable(retryAfter(header.apply("Retry-After"), now), "429");
    }
    if (status == 408 || status >= 500) {
      return new Retryable(retryAfter(header.apply("Retry-After"), now), status == 408 ? "timeout" : "5xx");
    }
    if (status >= 200 && status < 300) {
      return classifyBody(body, false);
    }
    if (status == 400 || status == 422) {
      return classifyBody(body, true);
    }
    // 3xx, 404, 405...: a wrong apiHost or a proxy in the way; keep the records and retry
    return new Retryable(null, "status");
  }

  /** A 2xx body may still report errors ({@code /engage}, {@code /groups}); a 400 always does. */
  private static DeliveryOutcome classifyBody(String body, boolean failedStatus) {
    String text = body == null ? "" : body.trim();
    JsonNode json = parse(text);
    if (json != null && json.path("failed_records").isArray()
        && json.path("failed_records").size() > 0) {
      return new PartiallyRejected(rejections(json.path("failed_records")));
    }
    if (failedStatus) {
      return new Rejected(errorText(body, "Mixpanel refused the batch (400)"));
    }
    if (text.equals("0")) {
      return new Rejected("Mixpanel accepted none of the records (response 0)");
    }
    if (json != null && json.isObject()) {
      JsonNode st = json.path("status");
      boolean statusFailed = (st.isNumber() && st.asInt() == 0)
          || (st.isTextual() && st.asText().equalsIgnoreCase("error"))
          || (json.path("code").isNumber() && json.path("code").asInt() >= 400);
      if (statusFailed) {
        return new Rejected(errorText(body, "Mixpanel reported an error in a 200 response"));
      }
    }
    return new Delivered();
  }

  private static List<Rejection> rejections(JsonNode failed) {
    List<Rejection> out = new ArrayList<>(failed.size());
    for (JsonNode f : failed) {
      int index = f.path("index").isNumber() ? f.path("index").asInt() : -1;
      String insertId = text(f, "insert_id");
      insertId = insertId != null ? insertId : text(f, "$insert_id");
      String message = text(f, "message");
      String field = text(f, "field");
      String reason = message != null ? message
          : field != null ? field + " is invalid"
          : text(f, "error") != null ? text(f, "error") : "rejected by Mixpanel";
      out.add(new Rejection(index, insertId, reason));
    }
    return out;
  }

  /** The server's wait: delta-seconds or an HTTP-date, bounded to 10 minutes; null if absent or bad. */
  static Duration retryAfter(String value, Instant now) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.trim();
    Duration d;
    try {
      d = Duration.ofSeconds(Long.parseLong(v));
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        d = Duration.between(now, at);
      } catch (RuntimeException notDate) {
        return null;
      }
    }
    if (d.isNegative()) {
      return Duration.ZERO;
    }
    return d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d;
  }

  private static String errorText(String body, String fallback) {
    JsonNode json = parse(body == null ? "" : body.trim());
    if (json != null && json.hasNonNull("error") && !json.get("error").asText().isBlank()) {
      return json.get("error").asText();
    }
    return fallback;
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static JsonNode parse(String text) {
    if (!text.startsWith("{")) {
      return null;
    }
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      return null;
    }
  }
}

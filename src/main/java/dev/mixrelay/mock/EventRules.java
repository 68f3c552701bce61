package dev.mixrelay.mock;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Mixpanel's rules for one event record (wire-protocols A.1 strict mode and A.5): which field is
 * wrong and Mixpanel's wording for it. Pure: the current time is passed in.
 */
final class EventRules {

  /** Values Mixpanel refuses as a distinct_id or $insert_id (A.5). */
  static final Set<String> PLACEHOLDERS =
      Set.of(
          "00000000-0000-0000-0000-000000000000",
          "anon",
          "anonymous",
          "nil",
          "none",
          "null",
          "n/a",
          "na",
          "undefined",
          "unknown",
          "<nil>",
          "0",
          "-1",
          "true",
          "false",
          "[]",
          "{}");

  /** 1971-01-01T00:00:00Z, the earliest time /import takes. */
  static final long EARLIEST_MS = 31_536_000_000L;

  static final long HOUR_MS = 3_600_000L;
  static final long FIVE_DAYS_MS = 5 * 24 * HOUR_MS;
  static final int MAX_PROPERTIES = 255;
  static final int MAX_KEYS = 255;
  static final int MAX_ELEMENTS = 255;
  static final int MAX_DEPTH = 3;


  private EventRules() {}

  /** A valid event's dedup fields, or the first rule it breaks. */
  sealed interface Checked {}

  record Valid(String event, String distinctId, long timeMs, String insertId) implements Checked {}

  record Broken(String field, String message) implements Checked {}

  /** Checks an {@code /import} record (every field required). */
  static Checked importEvent(JsonNode record, int bytes, int maxBytes, Instant now) {
    return check(record, bytes, maxBytes, now, true);
  }

  /**
   * Checks a {@code /track} record: time, distinct_id and $insert_id optional; 5 days back at most.
   */
  static Checked trackEvent(JsonNode record, int bytes, int maxBytes, Instant now) {
    return check(record, bytes, maxBytes, now, false);
  }

  private static Checked check(
      JsonNode record, int bytes, int maxBytes, Instant now, boolean strict) {
    if (bytes > maxBytes) {
      return new Broken("record", "record is invalid: exceeds max size of " + maxBytes + " bytes");
    }
    if (!record.isObject()) {
      return new Broken("record", "record is invalid: must be a JSON object");
    }
    JsonNode event = record.get("event");
    if (event == null || !event.isTextual() || event.asText().isEmpty()) {
      return new Broken("event", "'event' is invalid: must be a non-empty string");
    }
    JsonNode props = record.get("properties");
    if (props == null || !props.isObject()) {
      return new Broken("properties", "'properties' is invalid: must be an object");
    }
    long nowMs = now.toEpochMilli();
    JsonNode time = props.get("time");
    long timeMs = nowMs;
    if (time == null || time.isNull()) {
      if (strict) {
        return new Broken("properties.time", "'properties.time' is required");
      }
    } else if (!time.isNumber()) {
      return new Broken(
          "properties.time",
          "'properties.time' is invalid: must be specified as seconds since epoch");
    } else {
      timeMs = toMillis(time);
      if (timeMs < EARLIEST_MS) {
        return new Broken(
            "properties.time", "'properties.time' is invalid: must be after 1971-01-01");
      }
      if (timeMs > nowMs + HOUR_MS) {
        return new Broken(
            "properties.time",
            "'properties.time' is invalid: must not be more than 1 hour in the future");
      }
      if (!strict && timeMs < nowMs - FIVE_DAYS_MS) {
        return new Broken(
            "properties.time",
            "'properties.time' is invalid: /track only ingests events from the last 5 days");
      }
    }
    JsonNode distinct = props.get("distinct_id");
    String distinctId = "";
    if (distinct == null || distinct.isNull()) {
      if (strict) {
        return new Broken("properties.distinct_id", "'properties.distinct_id' is required");
      }
    } else if (!distinct.isTextual() && !distinct.isNumber()) {
      return new Broken(
          "properties.distinct_id", "'properties.distinct_id' is invalid: must be a string");
    } else {
      distinctId = distinct.asText();
      if (PLACEHOLDERS.contains(distinctId)) {
        return new Broken(
            "properties.distinct_id",
            "'properties.distinct_id' is invalid: '"
                + distinctId
                + "' is not allowed as a distinct_id");
      }
    }
    JsonNode insert = props.get("$insert_id");
    String insertId = null;
    if (insert == null || insert.isNull()) {
      if (strict) {
        return new Broken("properties.$insert_id", "'properties.$insert_id' is required");
      }
    } else {
      Broken bad = insertIdProblem(insert);
      if (bad != null) {
        return bad;
      }
      insertId = insert.asText();
    }
    Broken shape = shapeProblem(props);
    if (shape != null) {
      return shape;
    }
    return new Valid(event.asText(), distinctId, timeMs, insertId);
  }

  /** Epoch seconds or milliseconds (a value of 10^11 or more is taken as milliseconds). */
  static long toMillis(JsonNode time) {
    double v = time.asDouble();
    return v >= 1e11 ? (long) v : Math.round(v * 1000);
  }

  private static Broken insertIdProblem(JsonNode insert) {
    String f = "properties.$insert_id";
    if (!insert.isTextual()) {
      return new Broken(f, "'properties.$insert_id' is invalid: must be a string");
    }
    String id = insert.asText();
    if (id.getBytes(StandardCharsets.UTF_8).length > 36) {
      return new Broken(
          f,
          "'properties.$insert_id' is invalid: must be at most 36 bytes, was "
              + id.getBytes(StandardCharsets.UTF_8).length);
    }
    if (!alphanumericOrDash(id)) {
      return new Broken(
          f,
          "'properties.$insert_id' is invalid: must contain only alphanumeric characters and '-'");
    }
    if (PLACEHOLDERS.contains(id)) {
      return new Broken(f, "'properties.$insert_id' is invalid: '" + id + "' is not allowed");
    }
    return null;
  }

  /** {@code [A-Za-z0-9-]+}, without a regex: the check runs for every event the mock takes. */
  private static boolean alphanumericOrDash(String id) {
    if (id.isEmpty()) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  private static Broken shapeProblem(JsonNode props) {
    if (props.size() >= MAX_PROPERTIES) {
      return new Broken(
          "properties",
          "'properties' is invalid: must have fewer than "
              + MAX_PROPERTIES
              + " properties, has "
              + props.size());
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String path = "properties." + e.getKey();
      Broken b = nested(e.getValue(), path, 1);
      if (b != null) {
        return b;
      }
    }
    return null;
  }

  private static Broken nested(JsonNode value, String path, int depth) {
    if (!value.isContainerNode()) {
      return null;
    }
    if (depth > MAX_DEPTH) {
      return new Broken(
          path, "'" + path + "' is invalid: nested deeper than " + MAX_DEPTH + " levels");
    }
    if (value.isObject() && value.size() >= MAX_KEYS) {
      return new Broken(
          path,
          "'"
              + path
              + "' is invalid: objects must have fewer than "
              + MAX_KEYS
              + " keys, has "
              + value.size());
    }
    if (value.isArray() && value.size() >= MAX_ELEMENTS) {
      return new Broken(
          path,
          "'"
              + path
              + "' is invalid: lists must have fewer than "
              + MAX_ELEMENTS
              + " elements, has "
              + value.size());
    }
    if (value.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        Broken b = nested(e.getValue(), path + "." + e.getKey(), depth + 1);
        if (b != null) {
          return b;
        }
      }
    } else {
      for (JsonNode item : value) {
        Broken b = nested(item, path, depth + 1);
        if (b != null) {
          return b;
        }
      }
    }
    return null;
  }
}

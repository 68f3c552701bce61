package dev.mixrelay.mock;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Mixpanel's rules for one {@code /engage} or {@code /groups} update (wire-protocols A.3, A.4). */
final class ProfileRules {

  static final Set<String> USER_OPS =
      Set.of("$set", "$set_once", "$add", "$union", "$append", "$remove", "$unset", "$delete");
  static final Set<String> GROUP_OPS =
      Set.of("$set", "$set_once", "$union", "$remove", "$unset", "$delete");

  private ProfileRules() {}

  sealed interface Checked {}

  /**
   * A valid update: whose profile ({@code key}: distinct id, or group key and id) and its
   * operation.
   */
  record Valid(String key, String groupId, String op) implements Checked {}

  record Broken(String field, String message) implements Checked {}

  static Checked engage(JsonNode u, int bytes, int maxBytes, String token) {
    Broken common = common(u, bytes, maxBytes, token);
    if (common != null) {
      return common;
    }
    JsonNode id = u.get("$distinct_id");
    if (id == null || !(id.isTextual() || id.isNumber())) {
      return new Broken("$distinct_id", "'$distinct_id' is required");
    }
    return operation(u, USER_OPS, "user", id.asText(), null);
  }

  static Checked group(JsonNode u, int bytes, int maxBytes, String token) {
    Broken common = common(u, bytes, maxBytes, token);
    if (common != null) {
      return common;
    }
    JsonNode key = u.get("$group_key");
    if (key == null || !key.isTextual() || key.asText().isEmpty()) {
      return new Broken("$group_key", "'$group_key' is required");
    }
    JsonNode id = u.get("$group_id");
    if (id == null || !(id.isTextual() || id.isNumber()) || id.asText().isEmpty()) {
      return new Broken("$group_id", "'$group_id' is required");
    }
    return operation(u, GROUP_OPS, "group", key.asText(), id.asText());
  }

  private static Broken common(JsonNode u, int bytes, int maxBytes, String token) {
    if (bytes > maxBytes) {
      return new Broken("record", "record is invalid: exceeds max size of " + maxBytes + " bytes");
    }
    if (!u.isObject()) {
      return new Broken("record", "record is invalid: must be a JSON object");
    }
    JsonNode t = u.get("$token");
    if (t == null || !t.isTextual() || t.asText().isEmpty()) {
      return new Broken("$token", "'$token' is required");
    }
    if (token != null && !token.equals(t.asText())) {
      return new Broken("$token", "'$token' is invalid: not this project's token");
    }
    return null;
  }

  private static Checked operation(
      JsonNode u, Set<String> allowed, String kind, String key, String groupId) {
    List<String> ops = new ArrayList<>();
    for (Iterator<String> it = u.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (USER_OPS.contains(name)) {
        ops.add(name);
      }
    }
    if (ops.size() != 1) {
      return new Broken(
          "record",
          "record is invalid: must have exactly one operation, has "
              + (ops.isEmpty() ? "none" : String.join(", ", ops)));
    }
    String op = ops.get(0);
    if (!allowed.contains(op)) {
      return new Broken(op, "'" + op + "' is not supported on " + kind + " profiles");
    }
    JsonNode value = u.get(op);
    Broken shape = shape(op, value);
    return shape != null ? shape : new Valid(key, groupId, op);
  }

  private static Broken shape(String op, JsonNode value) {
    switch (op) {
      case "$delete":
        return null;
      case "$unset":
        return value.isArray() ? null : new Broken(op, "'$unset' must be a list of property names");
      default:
        if (!value.isObject()) {
          return new Broken(op, "'" + op + "' must be an object");
        }
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String field = op + "." + e.getKey();
      if (op.equals("$add") && !e.getValue().isNumber()) {
        return new Broken(field, "'" + field + "' must be a number");
      }
      if (op.equals("$union") && (!e.getValue().isArray() || e.getValue().isEmpty())) {
        return new Broken(field, "'" + field + "' must be a non-empty list");
      }
    }
    return null;
  }
}

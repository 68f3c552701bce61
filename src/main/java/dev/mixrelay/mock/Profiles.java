package dev.mixrelay.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A user or group profile as Mixpanel would show it after a list of updates, applied in order (A.3
 * semantics: $set, $set_once, $add, $union, $append, $remove, $unset, $delete). Pure.
 */
final class Profiles {

  private Profiles() {}

  /** The profile's properties, or null when it never existed or was deleted last. */
  static ObjectNode apply(List<JsonNode> updates) {
    ObjectNode p = null;
    for (JsonNode u : updates) {
      if (u.has("$delete")) {
        p = null;
        continue;
      }
      p = p == null ? JsonNodeFactory.instance.objectNode() : p;
      apply(p, u);
    }
    return p;
  }

  private static void apply(ObjectNode p, JsonNode u) {
    for (Iterator<Map.Entry<String, JsonNode>> ops = u.fields(); ops.hasNext(); ) {
      Map.Entry<String, JsonNode> op = ops.next();
      JsonNode value = op.getValue();
      switch (op.getKey()) {
        case "$set":
          value.fields().forEachRemaining(e -> p.set(e.getKey(), e.getValue()));
          break;
        case "$set_once":
          value
              .fields()
              .forEachRemaining(
                  e -> {
                    if (!p.has(e.getKey())) {
                      p.set(e.getKey(), e.getValue());
                    }
                  });
          break;
        case "$add":
          value
              .fields()
              .forEachRemaining(
                  e -> p.put(e.getKey(), p.path(e.getKey()).asDouble(0) + e.getValue().asDouble()));
          break;
        case "$union":
          value
              .fields()
              .forEachRemaining(
                  e -> {
                    ArrayNode list = list(p, e.getKey());
                    e.getValue()
                        .forEach(
                            item -> {
                              if (!contains(list, item)) {
                                list.add(item);
                              }
                            });
                  });
          break;
        case "$append":
          value.fields().forEachRemaining(e -> list(p, e.getKey()).add(e.getValue()));
          break;
        case "$remove":
          value
              .fields()
              .forEachRemaining(
                  e -> {
                    if (p.get(e.getKey()) instanceof ArrayNode list) {
                      for (int i = list.size() - 1; i >= 0; i--) {
                        if (list.get(i).equals(e.getValue())) {
                          list.remove(i);
                        }
                      }
                    }
                  });
          break;
        case "$unset":
          value.forEach(name -> p.remove(name.asText()));
          break;
        default:
          break;
      }
    }
  }

  private static ArrayNode list(ObjectNode p, String name) {
    if (p.get(name) instanceof ArrayNode list) {
      return list;
    }
    return p.putArray(name);
  }

  private static boolean contains(ArrayNode list, JsonNode item) {
    for (JsonNode x : list) {
      if (x.equals(item)) {
        return true;
      }
    }
    return false;
  }
}

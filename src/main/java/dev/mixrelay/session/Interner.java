package dev.mixrelay.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Shares equal event names and property values between open sessions so that an idle session
 * holds references, not copies. Bounded: once full, values are kept as they come. Not thread-safe.
 */
final class Interner {
  private final int max;
  private final Map<String, String> strings = new HashMap<>();
  private final Map<String, TextNode> texts = new HashMap<>();
  private final Map<Props, JsonNode[]> props = new HashMap<>();

  /** An associated-properties array as a map key, by content. */
  private record Props(JsonNode[] values) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Props p && Arrays.equals(values, p.values);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(values);
    }
  }

  Interner(int max) {
    this.max = max;
  }

  String string(String s) {
    if (s == null) {
      return null;
    }
    String shared = strings.get(s);
    if (shared != null) {
      return shared;
    }
    if (strings.size() < max) {
      strings.put(s, s);
    }
    return s;
  }

  /** A shared array equal to {@code values}, which the caller must not change afterwards. */
  JsonNode[] props(JsonNode[] values) {
    if (values == null) {
      return null;
    }
    Props key = new Props(values);
    JsonNode[] shared = props.get(key);
    if (shared != null) {
      return shared;
    }
    if (props.size() < max) {
      props.put(key, values);
    }
    return values;
  }

  /** A shared node for text values; other values are returned as they are. */
  JsonNode node(JsonNode n) {
    if (n == null || !n.isTextual()) {
      return n;
    }
    TextNode shared = texts.get(n.textValue());
    if (shared != null) {
      return shared;
    }
    if (texts.size() < max) {
      texts.put(n.textValue(), (TextNode) n);
    }
    return n;
  }
}

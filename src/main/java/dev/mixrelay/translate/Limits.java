package dev.mixrelay.translate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Mixpanel's limits, checked before anything is sent (wire-protocols A.5). Property names and
 * string values over 255 characters are cut, as Mixpanel would cut them, and counted. A record
 * that can never be accepted (more than 255 event properties, over 1 MB of JSON) is set aside
 * with the reason instead of failing a whole batch. Nested objects and arrays are left as they
 * are. Only the top level of an event's properties or of a profile operation is looked at.
 */
final class Limits {
  static final int MAX_CHARS = 255;
  static final int MAX_PROPERTIES = 255;
  static final int MAX_RECORD_BYTES = 1 << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  private Limits() {}

  /** Cuts in place (the records are new) and splits off the records Mixpanel would refuse. */
  static Translation apply(Translation.Translated translated) {
    int truncated = 0;
    List<MixpanelRecord> kept = new ArrayList<>(translated.records().size());
    List<Translation.Rejected> rejected = new ArrayList<>(0);
    for (MixpanelRecord r : translated.records()) {
      ObjectNode target = r.endpoint() == Endpoint.IMPORT ? r.properties() : operation(r.body());
      if (target != null) {
        truncated += truncate(target);
      }
      String reason = refusal(r);
      if (reason == null) {
        kept.add(r);
      } else {
        rejected.add(new Translation.Rejected(r, reason));
      }
    }
    if (truncated == 0 && rejected.isEmpty()) {
      return translated;
    }
    return new Translation.Translated(kept, translated.update(), rejected, truncated);
  }

  /** The object value of a profile or group operation ({@code $set}, {@code $union}...). */
  private static ObjectNode operation(ObjectNode body) {
    Iterator<Map.Entry<String, JsonNode>> it = body.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().startsWith("$") && e.getValue() instanceof ObjectNode o) {
        return o;
      }
    }
    return null;
  }

  private static int truncate(ObjectNode object) {
    int count = 0;
    List<String> longKeys = null;
    Iterator<Map.Entry<String, JsonNode>> it = object.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      if (v.isTextual() && v.textValue().length() > MAX_CHARS) {
        e.setValue(TextNode.valueOf(cut(v.textValue())));
        count++;
      }
      if (e.getKey().length() > MAX_CHARS) {
        if (longKeys == null) {
          longKeys = new ArrayList<>();
        }
        longKeys.add(e.getKey());
      }
    }
    if (longKeys != null) {
      for (String key : longKeys) {
        object.set(cut(key), object.remove(key));
        count++;
      }
    }
    return count;
  }

  /** The first 255 characters, without splitting a surrogate pair. */
  static String cut(String s) {
    int end = MAX_CHARS;
    if (Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end);
  }

  private static String refusal(MixpanelRecord r) {
    if (r.endpoint() == Endpoint.IMPORT && r.properties() != null
        && r.properties().size() > MAX_PROPERTIES) {
      return "the event has " + r.properties().size() + " properties; Mixpanel accepts at most "
          + MAX_PROPERTIES;
    }
    if (upperBoundBytes(r.body()) > MAX_RECORD_BYTES) {
      int bytes = exactBytes(r.body());
      if (bytes > MAX_RECORD_BYTES) {
        return "the record is " + bytes + " bytes of JSON; Mixpanel accepts at most "
            + MAX_RECORD_BYTES;
      }
    }
    return null;
  }

  /** A cheap bound on the UTF-8 JSON size (every character escaped as six bytes). */
  private static long upperBoundBytes(JsonNode node) {
    if (node.isTextual()) {
      return 6L * node.textValue().length() + 2;
    }
    if (node.isObject()) {
      long n = 2;
      Iterator<Map.Entry<String, JsonNode>> it = node.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        n += 6L * e.getKey().length() + 4 + upperBoundBytes(e.getValue());
      }
      return n;
    }
    if (node.isArray()) {
      long n = 2;
      for (JsonNode v : node) {
        n += 1 + upperBoundBytes(v);
      }
      return n;
    }
    return node.isBigDecimal() || node.isBigInteger() ? node.asText().length() + 2L : 32;
  }

  private static int exactBytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node).length;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }
}

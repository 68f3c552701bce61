package dev.mixrelay.translate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
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
 * that can never be accepted (more than 255 event properties, over 1 MiB of JSON) is set aside
 * with the reason instead of failing a whole batch. Nested objects and arrays are left as they
 * are; only the top level of an event's properties or of a profile operation is cut.
 *
 * <p>The size check is the same pass: it bounds the JSON size from above (six bytes per
 * character, as if every one were escaped), and only a record over the bound is serialised.
 */
final class Limits {
  static final int MAX_CHARS = 255;
  static final int MAX_PROPERTIES = 255;
  static final int MAX_RECORD_BYTES = 1 << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  private Limits() {}

  /** Cuts in place (the records are new) and splits off the records Mixpanel would refuse. */
  static Translation apply(Translation.Translated translated) {
    List<MixpanelRecord> records = translated.records();
    List<MixpanelRecord> kept = null;
    List<Translation.Rejected> rejected = null;
    int[] cuts = new int[1];
    for (int i = 0; i < records.size(); i++) {
      MixpanelRecord r = records.get(i);
      ObjectNode target = r.endpoint() == Endpoint.IMPORT ? r.properties() : operation(r.body());
      long bound = 2;
      Iterator<Map.Entry<String, JsonNode>> fields = r.body().fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> e = fields.next();
        bound += 6L * e.getKey().length() + 4
            + (e.getValue() == target ? cutAndBound(target, cuts) : upperBound(e.getValue()));
      }
      String reason = refusal(r, target, bound);
      if (reason != null) {
        if (rejected == null) {
          rejected = new ArrayList<>(1);
          kept = new ArrayList<>(records.subList(0, i));
        }
        rejected.add(new Translation.Rejected(r, reason));
      } else if (kept != null) {
        kept.add(r);
      }
    }
    if (cuts[0] == 0 && rejected == null) {
      return translated;
    }
    return new Translation.Translated(kept == null ? records : kept, translated.update(),
        rejected == null ? List.of() : rejected, cuts[0]);
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

  /** Cuts long names and string values (counting into cuts[0]); returns a size bound. */
  private static long cutAndBound(ObjectNode object, int[] cuts) {
    long bound = 2;
    List<String> longKeys = null;
    Iterator<Map.Entry<String, JsonNode>> it = object.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      if (v instanceof TextNode && v.textValue().length() > MAX_CHARS) {
        v = TextNode.valueOf(cut(v.textValue()));
        e.setValue(v);
        cuts[0]++;
      }
      if (e.getKey().length() > MAX_CHARS) {
        if (longKeys == null) {
          longKeys = new ArrayList<>(1);
        }
        longKeys.add(e.getKey());
      }
      bound += 6L * Math.min(e.getKey().length(), MAX_CHARS) + 4 + upperBound(v);
    }
    if (longKeys != null) {
      for (String key : longKeys) {
        object.set(cut(key), object.remove(key));
        cuts[0]++;
      }
    }
    return bound;
  }

  /** The first 255 characters, without splitting a surrogate pair. */
  static String cut(String s) {
    int end = MAX_CHARS;
    if (Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end);
  }

  private static String refusal(MixpanelRecord r, ObjectNode target, long bound) {
    if (r.endpoint() == Endpoint.IMPORT && target != null && target.size() > MAX_PROPERTIES) {
      return "the event has " + target.size() + " properties; Mixpanel accepts at most "
          + MAX_PROPERTIES;
    }
    if (bound > MAX_RECORD_BYTES) {
      int bytes = exactBytes(r.body());
      if (bytes > MAX_RECORD_BYTES) {
        return "the record is " + bytes + " bytes of JSON; Mixpanel accepts at most "
            + MAX_RECORD_BYTES;
      }
    }
    return null;
  }

  /** A cheap bound on a value's UTF-8 JSON size (class checks, no virtual calls). */
  private static long upperBound(JsonNode node) {
    if (node instanceof TextNode) {
      return 6L * node.textValue().length() + 2;
    }
    if (node instanceof ObjectNode) {
      long n = 2;
      Iterator<Map.Entry<String, JsonNode>> it = node.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        n += 6L * e.getKey().length() + 4 + upperBound(e.getValue());
      }
      return n;
    }
    if (node instanceof ArrayNode) {
      long n = 2;
      for (int i = 0; i < node.size(); i++) {
        n += 1 + upperBound(node.get(i));
      }
      return n;
    }
    if (node instanceof DecimalNode || node instanceof BigIntegerNode) {
      return node.asText().length() + 2L;
    }
    return 32;
  }

  private static int exactBytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node).length;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }
}

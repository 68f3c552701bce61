package dev.mixrelay.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.mixpanel.MixpanelRecord;
import java.util.List;

/** Reads the fields sessions depend on from an outgoing {@code /import} record. */
final class EventReader {
  private static final long SECONDS_BEFORE = 100_000_000_000L;

  private final SessionRules rules;
  private final Interner interner;

  EventReader(SessionRules rules, Interner interner) {
    this.rules = rules;
    this.interner = interner;
  }

  /** The event, or null for a record that is not an event with a name and a time. */
  SessionEvent read(MixpanelRecord record, long seq, long offset, long arrival) {
    String name = record.eventName();
    ObjectNode p = record.properties();
    if (name == null || p == null) {
      return null;
    }
    JsonNode t = p.get("time");
    if (t == null || !t.isNumber()) {
      return null;
    }
    long time = t.isIntegralNumber() ? t.asLong() : Math.round(t.asDouble() * 1000);
    if (t.isIntegralNumber() && time < SECONDS_BEFORE) {
      time *= 1000; // epoch seconds, as /import also accepts
    }
    String userId = text(p, "$user_id");
    String deviceId = text(p, "$device_id");
    DeviceLink link = DeviceLink.of(name, p);
    JsonNode value = null;
    if (rules.sessionIdProperty() != null) {
      value = p.get(rules.sessionIdProperty());
      value = value == null || value.isNull() ? null : interner.node(value);
    }
    String distinctId = text(p, "distinct_id");
    String insertId = text(p, "$insert_id");
    byte[] key = insertId == null ? null : DedupKey.of(name, distinctId, time, insertId);
    // ids are many and short-lived: not interned (they would fill the interner's bound and keep
    // the names and values that repeat out), shared within the event and, by the sessionizer,
    // with the user's timeline (see Sessionizer#shareIds)
    distinctId = share(distinctId, userId, deviceId);
    return new SessionEvent(time, seq, offset, arrival, interner.string(name), userId, deviceId,
        distinctId, link == null ? null : link.device(), link == null ? null : link.user(),
        link != null && link.anon(), key == null ? 0 : DedupKey.hi(key),
        key == null ? 0 : DedupKey.lo(key), value, interner.props(props(p)));
  }

  /** {@code s}, or the first of the candidates equal to it (one copy of an id, not several). */
  static String share(String s, String a, String b) {
    if (s == null) {
      return null;
    }
    if (s.equals(a)) {
      return a;
    }
    return s.equals(b) ? b : s;
  }

  private JsonNode[] props(ObjectNode p) {
    List<String> names = rules.associated();
    JsonNode[] out = null;
    for (int i = 0; i < names.size(); i++) {
      JsonNode v = p.get(names.get(i));
      if (v != null && !v.isNull()) {
        if (out == null) {
          out = new JsonNode[names.size()];
        }
        out[i] = interner.node(v);
      }
    }
    return out;
  }

  private static String text(ObjectNode p, String field) {
    return DeviceLink.text(p, field);
  }
}

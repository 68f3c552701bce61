package dev.mixrelay.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.NameBasedGenerator;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;
import java.util.List;
import java.util.UUID;

/**
 * Turns a closed session into its Session Start / Session End {@code /import} records, with
 * {@code $insert_id} = UUIDv5(namespace, userKey + ":" + startMillis + ":" + eventName + ":" +
 * hex(startId)), where startId is the Java {@code String.hashCode} of the starting event's
 * de-duplication key (event, distinct_id, time, $insert_id): two sessions of one user can start in
 * the same millisecond (property mode, a value change; event mode, an end and a start), and
 * Mixpanel would drop the second as a duplicate.
 */
final class SessionRecords {
  static final String DURATION = "Session Duration (Seconds)";
  static final String COUNT = "Session Event Count";
  static final String START_NAME = "Session Start Event Name";
  static final String END_NAME = "Session End Event Name";

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final SessionRules rules;
  private final NameBasedGenerator ids;

  SessionRecords(SessionRules rules, UUID namespace) {
    this.rules = rules;
    this.ids = Generators.nameBasedGenerator(namespace);
  }

  /** Appends the records of one closed session to {@code out}: two, or a Start alone. */
  void build(Closed c, List<MixpanelRecord> out) {
    UserState s = c.state();
    out.add(record(c, rules.startEventName(), s.first));
    if (c.withEnd()) {
      out.add(record(c, rules.endEventName(), s.last));
    }
  }

  /** The {@code $insert_id} of a session event. */
  String insertId(String key, long start, String eventName, int startId) {
    return ids.generate(key + ":" + start + ":" + eventName + ":" + Integer.toHexString(startId))
        .toString();
  }

  private MixpanelRecord record(Closed c, String event, long time) {
    UserState s = c.state();
    ObjectNode p = JSON.objectNode();
    p.put("time", time);
    p.put("distinct_id", c.key());
    if (s.user) {
      p.put("$user_id", c.key());
    }
    String device = SessionMachine.deviceId(c.key(), s);
    if (device != null) {
      p.put("$device_id", device);
    }
    p.put("$insert_id", insertId(c.key(), s.first, event, s.startId));
    if (c.withEnd()) {
      long ms = s.last - s.first;
      if (ms % 1000 == 0) {
        p.put(DURATION, ms / 1000);
      } else {
        p.put(DURATION, ms / 1000.0);
      }
    }
    p.put(COUNT, s.count);
    p.put(START_NAME, s.startName);
    if (c.withEnd()) {
      p.put(END_NAME, s.endName);
    }
    if (s.props != null) {
      List<String> names = rules.associated();
      for (int i = 0; i < s.props.length; i++) {
        JsonNode v = s.props[i];
        if (v != null) {
          p.set(names.get(i), v);
        }
      }
    }
    ObjectNode body = JSON.objectNode();
    body.put("event", event);
    body.set("properties", p);
    return new MixpanelRecord(Endpoint.IMPORT, body);
  }
}

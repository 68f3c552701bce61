package dev.mixrelay.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.SessionConfig;
import dev.mixrelay.config.SessionConfig.Mode;
import dev.mixrelay.mixpanel.MixpanelRecord;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A straightforward batch implementation of the session definition over all events sorted by
 * time (ties in arrival order), written independently of the streaming code, for the property
 * tests and the tests of {@code import}. Sessions come out as summary lines, one per session
 * event, which {@link #lines} also makes of the streaming output.
 */
public final class ReferenceSessions {
  private final SessionConfig config;
  private final ZoneId zone;
  private final Set<String> excluded = new HashSet<>(SessionRules.DEFAULT_EXCLUDED);
  private final List<String> associated = new ArrayList<>(SessionRules.DEFAULT_ASSOCIATED);
  private final List<String> out = new ArrayList<>();

  private static final class Sess {
    String key;
    boolean user;
    String device;
    long first;
    long last;
    int count;
    String startName;
    String endName;
    JsonNode value;
    Map<String, JsonNode> props = new TreeMap<>();
  }

  public ReferenceSessions(SessionConfig config) {
    this.config = config;
    this.zone = config.zone();
    excluded.addAll(config.excludedEvents());
    associated.addAll(config.extraProperties());
  }

  /** The summary lines of all sessions of the events, given in arrival order. */
  public List<String> sessions(List<ObjectNode> arrivals) {
    List<ObjectNode> events = new ArrayList<>(arrivals);
    events.sort(Comparator.comparingLong(e -> e.get("properties").get("time").asLong()));
    Set<String> seen = new HashSet<>();
    events.removeIf(e -> !seen.add(e.get("event").asText() + " " + e.get("properties")
        .get("distinct_id") + " " + e.get("properties").get("time") + " "
        + e.get("properties").get("$insert_id")));
    Map<String, String> links = new HashMap<>();
    Map<String, Sess> open = new LinkedHashMap<>();
    long timeout = config.timeout().toMillis();
    for (ObjectNode e : events) {
      ObjectNode p = (ObjectNode) e.get("properties");
      String name = e.get("event").asText();
      long time = p.get("time").asLong();
      String userId = p.hasNonNull("$user_id") ? p.get("$user_id").asText() : null;
      String deviceId = p.hasNonNull("$device_id") ? p.get("$device_id").asText() : null;
      if (userId != null && deviceId != null && !links.containsKey(deviceId)) {
        links.put(deviceId, userId);
        Sess d = open.remove("$device:" + deviceId);
        if (d != null && over(d, time)) {
          emit(d, config.mode() != Mode.event);
          d = null;
        }
        if (d != null && open.containsKey(userId) && over(open.get(userId), time)) {
          emit(open.remove(userId), config.mode() != Mode.event);
        }
        if (d != null) {
          if (open.containsKey(userId)) {
            emit(d, config.mode() != Mode.event);
          } else {
            d.key = userId;
            d.user = true;
            open.put(userId, d);
          }
        }
      }
      if (excluded.contains(name)) {
        continue;
      }
      String key = userId != null ? userId
          : links.containsKey(deviceId) ? links.get(deviceId) : "$device:" + deviceId;
      boolean user = userId != null || links.containsKey(deviceId);
      Sess s = open.get(key);
      boolean newDay = s != null && !day(time).equals(day(s.first));
      if (config.mode() == Mode.timeout) {
        if (s != null && (newDay || time - s.last >= timeout)) {
          emit(open.remove(key), true);
          s = null;
        }
        if (s == null) {
          open.put(key, start(key, user, name, time, deviceId, p, null));
        } else {
          add(s, name, time, deviceId);
          for (String a : associated) {
            if (!s.props.containsKey(a) && p.hasNonNull(a)) {
              s.props.put(a, p.get(a));
            }
          }
        }
      } else if (config.mode() == Mode.event) {
        if (s != null && newDay) {
          emit(open.remove(key), false);
          s = null;
        }
        if (s != null && name.equals(config.endEvent())) {
          add(s, name, time, deviceId);
          emit(open.remove(key), true);
        } else if (s == null && name.equals(config.startEvent())) {
          open.put(key, start(key, user, name, time, deviceId, p, null));
        } else if (s != null) {
          add(s, name, time, deviceId);
        }
      } else {
        JsonNode v = p.get(config.sessionIdProperty());
        if (v == null || v.isNull()) {
          continue;
        }
        if (s != null && (newDay || !v.equals(s.value))) {
          emit(open.remove(key), true);
          s = null;
        }
        if (s == null) {
          open.put(key, start(key, user, name, time, deviceId, p, v));
        } else {
          add(s, name, time, deviceId);
        }
      }
    }
    open.values().forEach(s -> emit(s, config.mode() != Mode.event));
    return out.stream().sorted().toList();
  }

  /** Whether no event at {@code time} could continue the session any more. */
  private boolean over(Sess s, long time) {
    return !day(time).equals(day(s.first))
        || config.mode() == Mode.timeout && time - s.last >= config.timeout().toMillis();
  }

  private LocalDate day(long time) {
    return LocalDate.ofInstant(Instant.ofEpochMilli(time), zone);
  }

  private Sess start(String key, boolean user, String name, long time, String device,
      ObjectNode p, JsonNode value) {
    Sess s = new Sess();
    s.key = key;
    s.user = user;
    s.device = device;
    s.first = time;
    s.last = time;
    s.count = 1;
    s.startName = name;
    s.endName = name;
    s.value = value;
    for (String a : associated) {
      if (p.hasNonNull(a)) {
        s.props.put(a, p.get(a));
      }
    }
    return s;
  }

  private static void add(Sess s, String name, long time, String device) {
    s.last = time;
    s.count++;
    s.endName = name;
    if (s.device == null) {
      s.device = device;
    }
  }

  private void emit(Sess s, boolean withEnd) {
    out.add(line(config.startEventName(), s.first, s, withEnd));
    if (withEnd) {
      out.add(line(config.endEventName(), s.last, s, true));
    }
  }

  private static String line(String event, long time, Sess s, boolean withEnd) {
    return event + " t=" + time + " key=" + s.key + " user=" + (s.user ? s.key : null)
        + " device=" + s.device + " dur=" + (withEnd ? (s.last - s.first) : null)
        + " n=" + s.count + " " + s.startName + "->" + (withEnd ? s.endName : null) + " " + s.props;
  }

  /** The same summary lines made of emitted records. */
  public static List<String> lines(List<MixpanelRecord> records) {
    List<String> lines = new ArrayList<>();
    for (MixpanelRecord r : records) {
      ObjectNode p = r.properties();
      Sess s = new Sess();
      s.key = p.get("distinct_id").asText();
      s.user = p.has("$user_id");
      s.device = p.hasNonNull("$device_id") ? p.get("$device_id").asText() : null;
      s.count = p.get(SessionRecords.COUNT).asInt();
      s.startName = p.get(SessionRecords.START_NAME).asText();
      s.endName = p.hasNonNull(SessionRecords.END_NAME) ? p.get(SessionRecords.END_NAME).asText()
          : null;
      boolean withEnd = p.has(SessionRecords.DURATION);
      if (withEnd) {
        s.first = 0;
        s.last = Math.round(p.get(SessionRecords.DURATION).asDouble() * 1000);
      }
      p.fields().forEachRemaining(f -> {
        if (SessionRules.DEFAULT_ASSOCIATED.contains(f.getKey()) || !f.getKey().startsWith("$")
            && !f.getKey().startsWith("Session ") && !f.getKey().equals("time")
            && !f.getKey().equals("distinct_id")) {
          s.props.put(f.getKey(), f.getValue());
        }
      });
      lines.add(line(r.eventName(), p.get("time").asLong(), s, withEnd));
    }
    return lines.stream().sorted().toList();
  }
}

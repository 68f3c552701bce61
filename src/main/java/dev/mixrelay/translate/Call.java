package dev.mixrelay.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.config.MixpanelSettings;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.segment.SegmentMessage;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;

/**
 * One message being translated for one destination: the facts every part of the translation
 * reads (ids, time, token, {@code $ip}), and the envelopes of the three record kinds.
 */
final class Call {
  static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  final SegmentMessage message;
  final MixpanelSettings settings;
  final Ids ids;
  final ObjectNode context;
  private final String token;
  private final String projectKey;
  private String profileTime;

  Call(SegmentMessage message, DestinationConfig destination) {
    this.message = message;
    this.settings = destination.settings();
    this.ids = Ids.of(message, settings.identityMerge());
    this.context = message.object("context");
    this.token = destination.token();
    this.projectKey = destination.projectKey();
  }

  /** The key that, with the message id and event name, names each {@code $insert_id}. */
  String projectKey() {
    return projectKey;
  }

  /**
   * The message time as Mixpanel's profile dates want it ({@code $transactions}, "Last X"): UTC,
   * whole seconds, no zone ("2024-03-01T10:00:00").
   */
  String profileTime() {
    if (profileTime == null) {
      LocalDateTime t = LocalDateTime.ofEpochSecond(
          Math.floorDiv(message.timestampMillis(), 1000L), 0, ZoneOffset.UTC);
      StringBuilder sb = new StringBuilder(19);
      pad(sb, t.getYear(), 4).append('-');
      pad(sb, t.getMonthValue(), 2).append('-');
      pad(sb, t.getDayOfMonth(), 2).append('T');
      pad(sb, t.getHour(), 2).append(':');
      pad(sb, t.getMinute(), 2).append(':');
      pad(sb, t.getSecond(), 2);
      profileTime = sb.toString();
    }
    return profileTime;
  }

  private static StringBuilder pad(StringBuilder sb, int value, int width) {
    String digits = Integer.toString(value);
    for (int i = digits.length(); i < width; i++) {
      sb.append('0');
    }
    return sb.append(digits);
  }

  /** An empty object sized for a typical event (up to 48 properties without rehashing). */
  static ObjectNode newProperties() {
    return new ObjectNode(JSON, new LinkedHashMap<>(64));
  }

  /** An {@code /import} event; puts time, the ids and {@code $insert_id} over the properties. */
  MixpanelRecord event(String name, ObjectNode properties) {
    return event(name, properties, ids);
  }

  /** An {@code /import} event about the given ids (alias events speak of two users). */
  MixpanelRecord event(String name, ObjectNode properties, Ids about) {
    properties.put("time", message.timestampMillis());
    about.putEventIds(properties);
    if (settings.actionsEventProperties() && about == ids) {
      // the Actions destination sends the original-mode pair beside $device_id / $user_id
      if (message.anonymousId() != null && !properties.has("$anon_id")) {
        properties.put("$anon_id", message.anonymousId());
      }
      if (message.userId() != null && !properties.has("$identified_id")) {
        properties.put("$identified_id", message.userId());
      }
    }
    properties.put("$insert_id",
        InsertIds.of(settings.insertIdNamespace(), message.messageId(), projectKey, name));
    ObjectNode body = JSON.objectNode();
    body.put("event", name);
    body.set("properties", properties);
    return new MixpanelRecord(Endpoint.IMPORT, body);
  }

  /**
   * A {@code /engage} operation on this message's user, at the message's time ({@code $time},
   * so Mixpanel orders profile updates by when they happened). {@code $ip} is {@code context.ip}, else 0
   * so Mixpanel never places the profile at the relay's address; {@code $ignore_time} is set when
   * {@code context.active} is false.
   */
  MixpanelRecord engage(String operation, JsonNode value) {
    return engage(operation, value, false);
  }

  /**
   * As {@link #engage(String, JsonNode)}; {@code legacyIdentify} adds what the legacy
   * integration's identify carries besides: {@code $ignore_time} always (true when {@code
   * context.active} is false or {@code context.Mixpanel.ignoreTime} is set) and {@code mp_lib}.
   */
  MixpanelRecord engage(String operation, JsonNode value, boolean legacyIdentify) {
    ObjectNode body = JSON.objectNode();
    body.put("$token", token);
    body.put("$distinct_id", ids.distinctId());
    body.put("$time", message.timestampMillis());
    JsonNode ip = context == null ? null : context.get("ip");
    if (ip != null && ip.isValueNode() && !ip.isNull() && !ip.asText().isEmpty()) {
      body.set("$ip", ip);
    } else {
      body.set("$ip", IntNode.valueOf(0));
    }
    JsonNode active = context == null ? null : context.get("active");
    if (active != null && active.isBoolean() && !active.booleanValue()) {
      body.put("$ignore_time", true);
    }
    if (legacyIdentify) {
      JsonNode ignore = context == null ? null : context.path("Mixpanel").get("ignoreTime");
      if (ignore != null && ignore.asBoolean(false)) {
        body.put("$ignore_time", true);
      } else if (!body.has("$ignore_time")) {
        body.put("$ignore_time", false);
      }
      String library = context == null ? null
          : ContextProperties.text(context.path("library").get("name"));
      body.put("mp_lib", "Segment: " + (library == null ? "unknown" : library));
    }
    body.set(operation, value);
    return new MixpanelRecord(Endpoint.ENGAGE, body);
  }

  /** A {@code /groups} operation on one group profile. */
  MixpanelRecord group(String groupKey, JsonNode groupId, String operation, ObjectNode value) {
    ObjectNode body = JSON.objectNode();
    body.put("$token", token);
    body.put("$group_key", groupKey);
    body.set("$group_id", groupId);
    body.set(operation, value);
    return new MixpanelRecord(Endpoint.GROUPS, body);
  }
}

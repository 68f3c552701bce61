package dev.mixrelay.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.mixpanel.MixpanelRecord;

/**
 * The one rule of which outgoing event links a device to a user, as Mixpanel's ID merge reads
 * it: an event carrying both {@code $user_id} and {@code $device_id} (Simplified ID Merge), or an
 * {@code $identify} carrying {@code $anon_id} and {@code $identified_id} (original ID merge).
 * Sessions follow the link (see {@code package-info.java}); the Kafka engine's identity stage
 * routes by it.
 *
 * @param device the device id ({@code $device_id}, or the anonymous id in original mode)
 * @param anon original ID merge: the device's session key is the bare anonymous id
 */
public record DeviceLink(String device, String user, boolean anon) {

  /** The link {@code record} makes, or null (not an event, or no link). */
  public static DeviceLink of(MixpanelRecord record) {
    return record == null ? null : of(record.eventName(), record.properties());
  }

  static DeviceLink of(String name, ObjectNode p) {
    if (name == null || p == null) {
      return null;
    }
    String userId = text(p, "$user_id");
    String deviceId = text(p, "$device_id");
    if (userId != null && deviceId != null) {
      return new DeviceLink(deviceId, userId, false);
    }
    if ("$identify".equals(name)) {
      String anonId = text(p, "$anon_id");
      String identified = text(p, "$identified_id");
      if (anonId != null && identified != null) {
        return new DeviceLink(anonId, identified, true);
      }
    }
    return null;
  }

  /** The session key the device's own events are kept under before the link. */
  public String deviceKey() {
    return anon ? device : "$device:" + device;
  }

  static String text(ObjectNode p, String field) {
    JsonNode v = p.get(field);
    if (v == null || v.isNull() || v.isContainerNode()) {
      return null;
    }
    String s = v.asText();
    return s.isEmpty() ? null : s;
  }
}

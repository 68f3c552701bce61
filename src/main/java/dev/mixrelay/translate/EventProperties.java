package dev.mixrelay.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The properties of a track, page or screen event, in layers where later ones win: the mapped
 * context, the user's remembered super properties and groups, the message's own properties. The keys the
 * relay owns ({@link #RESERVED}) are never taken from the last two layers.
 */
final class EventProperties {
  /** Set only by the relay: time, the ids, {@code $insert_id}, {@code token} (auth is Basic). */
  static final Set<String> RESERVED =
      Set.of("time", "distinct_id", "$insert_id", "$device_id", "$user_id", "token");

  /** {@code RESERVED.contains(key)}, without hashing every property name of every event. */
  static boolean reserved(String key) {
    switch (key.length()) {
      case 4: return key.equals("time");
      case 5: return key.equals("token");
      case 8: return key.equals("$user_id");
      case 10: return key.equals("$insert_id") || key.equals("$device_id");
      case 11: return key.equals("distinct_id");
      default: return false;
    }
  }

  private EventProperties() {}

  static ObjectNode of(Call call, ProfileView profiles) {
    ObjectNode out = Call.newProperties();
    ContextProperties.put(call.context, call.settings.sourceName(), call.settings.mpLibPrefix(),
        call.settings.actionsEventProperties(), out);
    if (profiles != null) {
      boolean legacy = call.settings.legacySuperProperties();
      String deviceKey = call.ids.deviceKey();
      String userKey = call.ids.userKey();
      if (deviceKey != null && !deviceKey.equals(userKey)) {
        putSuper(profiles.superProperties(deviceKey), legacy, out);
      }
      putSuper(profiles.superProperties(userKey), legacy, out);
      if (call.settings.groupAttribution()) {
        Groups.putMemberships(call, profiles, out);
      }
    }
    putAll(call.message.object("properties"), out);
    if (call.settings.legacyDeviceProperties()) {
      ContextProperties.putLegacyDevice(call.context, out);
    }
    if (call.settings.legacyPropertyNames()) {
      legacyNames(out);
    }
    String userId = call.message.userId();
    String distinct = userId != null ? userId : call.message.anonymousId();
    if (call.settings.idProperty() && distinct != null) {
      out.put("id", distinct);
    }
    if (call.settings.nameTag()) {
      String tag = nameTag(call.context, userId, call.message.anonymousId());
      if (tag != null) {
        out.put("mp_name_tag", tag);
      }
    }
    return out;
  }

  /**
   * The legacy integration's names for three properties: {@code username} becomes {@code
   * $username}, {@code searchEngine} {@code $search_engine}, {@code referrer} {@code $referrer}
   * (when the context gave none).
   */
  private static void legacyNames(ObjectNode out) {
    JsonNode username = out.remove("username");
    if (username != null) {
      out.set("$username", username);
    }
    JsonNode engine = out.remove("searchEngine");
    if (engine != null) {
      out.set("$search_engine", engine);
    }
    JsonNode referrer = out.remove("referrer");
    if (referrer != null && !out.has("$referrer")) {
      out.set("$referrer", referrer);
    }
  }

  /**
   * The legacy integration's {@code mp_name_tag}: the context traits' name (or first and last
   * name), else an email (the traits', or a userId that is one), else the userId, else the
   * anonymousId.
   */
  static String nameTag(ObjectNode context, String userId, String anonymousId) {
    JsonNode traits = context == null ? null : context.get("traits");
    if (traits instanceof ObjectNode t) {
      String name = ContextProperties.text(t.get("name"));
      if (name != null && !name.isBlank()) {
        return name;
      }
      String first = ContextProperties.text(t.get("firstName"));
      String last = ContextProperties.text(t.get("lastName"));
      if (first != null && last != null) {
        return first + " " + last;
      }
      String email = ContextProperties.text(t.get("email"));
      if (email != null && !email.isBlank()) {
        return email;
      }
    }
    return userId != null ? userId : anonymousId;
  }

  /**
   * Copies every non-reserved entry. Values are shared, not copied: the message is never changed
   * after normalisation and a record's body never after it is made (package-info).
   */
  static void putAll(ObjectNode from, ObjectNode out) {
    if (from == null) {
      return;
    }
    Iterator<Map.Entry<String, JsonNode>> it = from.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!reserved(e.getKey())) {
        out.set(e.getKey(), e.getValue());
      }
    }
  }

  private static void putSuper(ObjectNode remembered, boolean legacy, ObjectNode out) {
    if (remembered == null) {
      return;
    }
    Iterator<Map.Entry<String, JsonNode>> it = remembered.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = legacy && !e.getKey().startsWith("$") ? "$" + e.getKey() : e.getKey();
      if (!reserved(key)) {
        out.set(key, e.getValue());
      }
    }
  }
}

package dev.mixrelay.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.MixpanelSettings;
import dev.mixrelay.mixpanel.MixpanelRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * identify: with {@code people}, {@code /engage} {@code $set} of the (renamed, filtered) traits
 * and {@code $union} of the non-empty array traits and the push token; the {@code $identify}
 * event when both ids are known; and the traits to remember as super properties.
 */
final class Identify {
  private Identify() {}

  static Translation translate(Call call) {
    MixpanelSettings settings = call.settings;
    List<SpecialTraits.Trait> traits = SpecialTraits.of(call.message.object("traits"));
    List<MixpanelRecord> records = new ArrayList<>(3);
    IdentityEvents.onIdentify(call, records);
    if (settings.people()) {
      profileOperations(call, traits, records);
    }
    ProfileUpdate update = superProperties(call, traits);
    if (records.isEmpty() && update.isEmpty()) {
      return new Translation.Skipped(Translation.Skipped.NOTHING_TO_SEND);
    }
    return new Translation.Translated(records, update);
  }

  private static void profileOperations(Call call, List<SpecialTraits.Trait> traits,
      List<MixpanelRecord> records) {
    MixpanelSettings settings = call.settings;
    ObjectNode set = Call.JSON.objectNode();
    ObjectNode union = Call.JSON.objectNode();
    for (SpecialTraits.Trait t : traits) {
      if (!settings.setAllTraitsByDefault() && !t.special()
          && !t.listedIn(settings.peopleProperties())) {
        continue;
      }
      JsonNode v = t.value();
      if (settings.legacyProfileFields()) {
        v = LegacyDates.of(t.mixpanelKey(), v);
      }
      if (v.isArray() && !v.isEmpty()) {
        union.set(t.mixpanelKey(), v);
      } else {
        set.set(t.mixpanelKey(), v);
      }
    }
    String userId = call.message.userId();
    if (settings.idProperty() && userId != null && !set.has("id")) {
      set.put("id", userId);
    }
    putLocation(call.context, set);
    ContextProperties.putDevice(call.context, set);
    if (settings.legacyDeviceProperties()) {
      ObjectNode legacy = Call.newProperties();
      ContextProperties.putLegacyDevice(call.context, legacy);
      legacy.remove("$app_release");
      legacy.remove("$app_version");
      legacy.fields().forEachRemaining(e -> {
        if (!set.has(e.getKey())) {
          set.set(e.getKey(), e.getValue());
        }
      });
    }
    putPushToken(call.context, union);
    boolean legacy = settings.legacyProfileFields();
    if (!set.isEmpty()) {
      records.add(call.engage("$set", set, legacy));
    }
    if (!union.isEmpty()) {
      records.add(call.engage("$union", union, legacy));
    }
  }

  /** Profile geolocation from {@code context.location}; traits of the same name win. */
  private static void putLocation(ObjectNode context, ObjectNode set) {
    if (context == null) {
      return;
    }
    JsonNode location = context.path("location");
    putAbsent(location.get("city"), "$city", set);
    putAbsent(location.get("region"), "$region", set);
    putAbsent(location.get("country"), "$country_code", set);
  }

  private static void putAbsent(JsonNode value, String key, ObjectNode set) {
    if (!set.has(key)) {
      ContextProperties.copy(value, key, set);
    }
  }

  /** {@code context.device.token} → {@code $ios_devices}, or {@code $android_devices}. */
  private static void putPushToken(ObjectNode context, ObjectNode union) {
    if (context == null) {
      return;
    }
    String token = ContextProperties.text(context.path("device").get("token"));
    if (token == null || token.isEmpty()) {
      return;
    }
    String type = ContextProperties.text(context.path("device").get("type"));
    String os = ContextProperties.text(context.path("os").get("name"));
    boolean android = "android".equalsIgnoreCase(type) || "android".equalsIgnoreCase(os);
    String key = android ? "$android_devices" : "$ios_devices";
    JsonNode existing = union.get(key);
    ArrayNode tokens = existing instanceof ArrayNode a ? a : union.putArray(key);
    for (JsonNode t : tokens) {
      if (t.asText().equals(token)) {
        return;
      }
    }
    tokens.add(token);
  }

  /**
   * The traits to remember for the user's later events: those listed in {@code superProperties},
   * or all of them with {@code setAllTraitsByDefault} (renamed, but not the derived names); keyed
   * by userId, else the device key.
   */
  private static ProfileUpdate superProperties(Call call, List<SpecialTraits.Trait> traits) {
    MixpanelSettings settings = call.settings;
    ObjectNode remembered = Call.JSON.objectNode();
    for (SpecialTraits.Trait t : traits) {
      if (t.segmentKey() != null
          && (settings.setAllTraitsByDefault() || t.listedIn(settings.superProperties()))) {
        remembered.set(t.mixpanelKey(), t.value());
      }
    }
    return remembered.isEmpty() ? ProfileUpdate.NONE
        : new ProfileUpdate(call.ids.userKey(), remembered);
  }
}

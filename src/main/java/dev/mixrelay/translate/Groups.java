package dev.mixrelay.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.MixpanelSettings;
import dev.mixrelay.mixpanel.MixpanelRecord;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * group: the first of {@code groupIdentifierTraits} present in the traits names the group
 * ({@code $group_key} = the trait, {@code $group_id} = its value); {@code /groups} {@code $set}
 * of the traits and {@code $set_once} of {@code groupTraitsToSetOnce}, with name and
 * created/createdAt renamed to {@code $name} and {@code $created}; with {@code people}, the user
 * gets {@code $union {key: [id]}}. Without a matching trait nothing is sent, unless
 * {@code groupKeyFallback} (Actions) names the group {@code $group_key "$group_id"} with the
 * call's groupId. With {@code groupAttribution} the user's groups are remembered (beside the
 * super properties, under {@code $groups:} + user key) and later events carry
 * {@code key: [ids]}, as Mixpanel attributes an event to a group only by that property.
 */
final class Groups {
  private Groups() {}

  /**
   * The prefix of the key under which a user's groups are remembered ({@code $groups:} + the
   * user key), beside the user's super properties.
   */
  static final String MEMBERSHIPS = "$groups:";

  /** The key Segment's Actions destination uses when no group key is mapped. */
  static final String FALLBACK_KEY = "$group_id";

  static Translation translate(Call call, ProfileView profiles) {
    MixpanelSettings settings = call.settings;
    ObjectNode traits = call.message.object("traits");
    String key = null;
    JsonNode id = null;
    for (String candidate : settings.groupIdentifierTraits()) {
      JsonNode value = traits == null ? null : traits.get(candidate);
      if (value != null && value.isValueNode() && !value.isNull() && !value.asText().isEmpty()) {
        key = candidate;
        id = value;
        break;
      }
    }
    if (key == null && settings.groupKeyFallback()) {
      key = FALLBACK_KEY;
      JsonNode trait = traits == null ? null : traits.get(FALLBACK_KEY);
      id = trait != null && trait.isValueNode() && !trait.isNull() && !trait.asText().isEmpty()
          ? trait : Call.JSON.textNode(call.message.text("groupId"));
    }
    if (key == null) {
      return new Translation.Skipped(Translation.Skipped.NO_GROUP_TRAIT);
    }
    ObjectNode set = Call.JSON.objectNode();
    ObjectNode setOnce = Call.JSON.objectNode();
    Iterator<Map.Entry<String, JsonNode>> it = traits == null
        ? java.util.Collections.emptyIterator() : traits.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = e.getKey();
      if (name.equals("createdAt") && traits.has("created")) {
        continue;
      }
      ObjectNode target = PeopleOperations.containsIgnoreCase(settings.groupTraitsToSetOnce(), name)
          ? setOnce : set;
      target.set(rename(name), e.getValue());
    }
    List<MixpanelRecord> records = new ArrayList<>(3);
    if (!set.isEmpty()) {
      records.add(call.group(key, id, "$set", set));
    }
    if (!setOnce.isEmpty()) {
      records.add(call.group(key, id, "$set_once", setOnce));
    }
    if (settings.people()) {
      ObjectNode union = Call.JSON.objectNode();
      union.putArray(key).add(id);
      records.add(call.engage("$union", union));
    }
    return new Translation.Translated(records, membership(call, profiles, key, id));
  }

  /**
   * With {@code groupAttribution}, the user's groups to remember: {@code key: [ids]}, the ids
   * remembered before for that key with this one added, so later events carry it.
   */
  private static ProfileUpdate membership(Call call, ProfileView profiles, String key,
      JsonNode id) {
    String userKey = call.ids.userKey();
    if (!call.settings.groupAttribution() || userKey == null) {
      return ProfileUpdate.NONE;
    }
    String memberships = MEMBERSHIPS + userKey;
    ObjectNode before = profiles.superProperties(memberships);
    com.fasterxml.jackson.databind.node.ArrayNode ids = Call.JSON.arrayNode();
    JsonNode known = before == null ? null : before.get(key);
    if (known != null && known.isArray()) {
      for (JsonNode k : known) {
        if (k.equals(id)) {
          return ProfileUpdate.NONE;
        }
        ids.add(k);
      }
    }
    ids.add(id);
    ObjectNode update = Call.JSON.objectNode();
    update.set(key, ids);
    return new ProfileUpdate(memberships, update);
  }

  /**
   * Puts the groups remembered for the message's device and user ({@code key: [ids]}) into
   * {@code out}, the ids of both joined.
   */
  static void putMemberships(Call call, ProfileView profiles, ObjectNode out) {
    String deviceKey = call.ids.deviceKey();
    String userKey = call.ids.userKey();
    if (deviceKey != null && !deviceKey.equals(userKey)) {
      putMemberships(profiles.superProperties(MEMBERSHIPS + deviceKey), out);
    }
    if (userKey != null) {
      putMemberships(profiles.superProperties(MEMBERSHIPS + userKey), out);
    }
  }

  private static void putMemberships(ObjectNode remembered, ObjectNode out) {
    if (remembered == null) {
      return;
    }
    Iterator<Map.Entry<String, JsonNode>> it = remembered.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode had = out.get(e.getKey());
      if (had instanceof com.fasterxml.jackson.databind.node.ArrayNode a) {
        com.fasterxml.jackson.databind.node.ArrayNode joined = a.deepCopy();
        for (JsonNode id : e.getValue()) {
          boolean seen = false;
          for (JsonNode h : a) {
            seen |= h.equals(id);
          }
          if (!seen) {
            joined.add(id);
          }
        }
        out.set(e.getKey(), joined);
      } else {
        out.set(e.getKey(), e.getValue());
      }
    }
  }

  private static String rename(String trait) {
    switch (trait) {
      case "name": return "$name";
      case "created":
      case "createdAt": return "$created";
      default: return trait;
    }
  }
}

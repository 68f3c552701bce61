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
 * gets {@code $union {key: [id]}}. Without a matching trait nothing is sent.
 */
final class Groups {
  private Groups() {}

  static Translation translate(Call call) {
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
    if (key == null) {
      return new Translation.Skipped(Translation.Skipped.NO_GROUP_TRAIT);
    }
    ObjectNode set = Call.JSON.objectNode();
    ObjectNode setOnce = Call.JSON.objectNode();
    Iterator<Map.Entry<String, JsonNode>> it = traits.fields();
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
    return new Translation.Translated(records, ProfileUpdate.NONE);
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

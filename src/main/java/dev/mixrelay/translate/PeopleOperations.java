package dev.mixrelay.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.MixpanelSettings;
import dev.mixrelay.mixpanel.MixpanelRecord;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The profile operations that follow events when {@code people} is on: a revenue charge
 * ({@code $append $transactions}) for a track, and, for messages with a userId, the
 * {@code eventIncrements} ({@code $add {Event: 1}} plus {@code $set {"Last Event": time}}) and
 * {@code propIncrements} ({@code $add {prop: value}} for numeric values).
 */
final class PeopleOperations {
  private PeopleOperations() {}

  static void afterEvents(Call call, List<String> eventNames, boolean track,
      List<MixpanelRecord> records) {
    MixpanelSettings settings = call.settings;
    ObjectNode properties = call.message.object("properties");
    if (!settings.people()) {
      // the legacy integration's code charged revenue whether or not people was on
      if (settings.chargesWithoutPeople()) {
        charge(call, track, properties, records);
      }
      return;
    }
    charge(call, track, properties, records);
    afterCharge(call, eventNames, track, properties, records);
  }

  /** A revenue charge ({@code $append $transactions}) for a track with a revenue. */
  private static void charge(Call call, boolean track, ObjectNode properties,
      List<MixpanelRecord> records) {
    if (track && properties != null) {
      JsonNode amount = revenue(properties.get("revenue"));
      if (amount != null) {
        ObjectNode transaction = Call.JSON.objectNode();
        transaction.put("$time", call.profileTime());
        transaction.set("$amount", amount);
        ObjectNode append = Call.JSON.objectNode();
        append.set("$transactions", transaction);
        records.add(call.engage("$append", append));
      }
    }
  }

  private static void afterCharge(Call call, List<String> eventNames, boolean track,
      ObjectNode properties, List<MixpanelRecord> records) {
    MixpanelSettings settings = call.settings;
    if (track && properties != null && settings.incrementProperties()
        && properties.get("increment") instanceof ObjectNode increment) {
      // the Actions destination's incrementProperties: properties.increment's numbers, $add-ed
      // to the user's profile (anonymous users' too)
      ObjectNode byKey = Call.JSON.objectNode();
      increment.fields().forEachRemaining(e -> {
        JsonNode n = e.getValue();
        if (n.isNumber()) {
          byKey.set(e.getKey(), n);
        } else if (n.isTextual()) {
          try {
            byKey.put(e.getKey(), new java.math.BigDecimal(n.asText().trim()));
          } catch (NumberFormatException notANumber) {
            // not a number: left out, as the event itself still carries it
          }
        }
      });
      if (!byKey.isEmpty()) {
        records.add(call.engage("$add", byKey));
      }
    }
    if (call.ids.userId() == null) {
      return;
    }
    ObjectNode add = Call.JSON.objectNode();
    ObjectNode lastSeen = Call.JSON.objectNode();
    for (String name : eventNames) {
      if (containsIgnoreCase(settings.eventIncrements(), name)) {
        add.put(name, 1);
        lastSeen.put("Last " + name, call.profileTime());
      }
    }
    if (properties != null && !settings.propIncrements().isEmpty()) {
      Iterator<Map.Entry<String, JsonNode>> it = properties.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue().isNumber() && containsIgnoreCase(settings.propIncrements(), e.getKey())) {
          JsonNode before = add.get(e.getKey());
          add.set(e.getKey(), before == null ? e.getValue()
              : DoubleNode.valueOf(before.doubleValue() + e.getValue().doubleValue()));
        }
      }
    }
    if (!add.isEmpty()) {
      records.add(call.engage("$add", add));
    }
    if (!lastSeen.isEmpty()) {
      records.add(call.engage("$set", lastSeen));
    }
  }

  /** A number, or a string that is one ("12.50"), as a JSON number; else null. */
  static JsonNode revenue(JsonNode value) {
    if (value == null) {
      return null;
    }
    if (value.isNumber()) {
      return value;
    }
    if (!value.isTextual()) {
      return null;
    }
    BigDecimal parsed;
    try {
      parsed = new BigDecimal(value.asText().trim());
    } catch (NumberFormatException e) {
      return null;
    }
    BigDecimal whole = parsed.stripTrailingZeros();
    if (whole.scale() <= 0 && whole.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0) {
      return LongNode.valueOf(whole.longValueExact());
    }
    double amount = parsed.doubleValue();
    return Double.isFinite(amount) ? DoubleNode.valueOf(amount) : null;
  }

  static boolean containsIgnoreCase(List<String> names, String name) {
    for (String n : names) {
      if (n.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }
}

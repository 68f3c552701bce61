package dev.mixrelay.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Segment's {@code integrations} object (wire-protocols B.9): the first Mixpanel key present
 * ("Mixpanel", "Mixpanel (Legacy)", "Mixpanel (Actions)") decides; without one, {@code "All"}
 * does (absent means on). A value is on unless it is {@code false}; an options object is on.
 */
final class Integrations {
  private static final String[] MIXPANEL_NAMES =
      {"Mixpanel", "Mixpanel (Legacy)", "Mixpanel (Actions)"};

  private Integrations() {}

  static boolean mixpanelEnabled(ObjectNode integrations) {
    if (integrations == null) {
      return true;
    }
    for (String name : MIXPANEL_NAMES) {
      JsonNode value = integrations.get(name);
      if (value != null && !value.isNull()) {
        return on(value);
      }
    }
    JsonNode all = integrations.get("All");
    return all == null || all.isNull() || on(all);
  }

  private static boolean on(JsonNode value) {
    return !(value.isBoolean() && !value.booleanValue());
  }
}

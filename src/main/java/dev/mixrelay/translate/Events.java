package dev.mixrelay.translate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.mixpanel.MixpanelRecord;
import java.util.ArrayList;
import java.util.List;

/** track, page and screen: the event(s), then the profile operations they imply. */
final class Events {
  /** The event Segment's Actions destination makes per-product purchases of. */
  static final String ORDER_COMPLETED = "Order Completed";

  private Events() {}

  static Translation track(Call call, ProfileView profiles) {
    String name = call.message.event();
    List<MixpanelRecord> records = new ArrayList<>(2);
    ObjectNode properties = EventProperties.of(call, profiles);
    if (call.settings.actionsEventProperties() && !properties.has("event_original_name")) {
      properties.put("event_original_name", name);
    }
    records.add(call.event(name, properties));
    if (call.settings.generatePurchaseEventPerProduct() && ORDER_COMPLETED.equals(name)) {
      Purchases.perProduct(call, properties, records);
    }
    PeopleOperations.afterEvents(call, List.of(name), true, records);
    return new Translation.Translated(records, ProfileUpdate.NONE);
  }

  /**
   * page or screen: one event per name {@link PageNames} gives (none: skipped), with the call's
   * top-level {@code name} and {@code category} copied into the properties.
   */
  static Translation page(Call call, ProfileView profiles, boolean screen) {
    ObjectNode given = call.message.object("properties");
    String name = nonBlank(call.message.text("name"), given, "name");
    String category = nonBlank(call.message.text("category"), given, "category");
    List<String> names = PageNames.of(screen, name, category, call.settings);
    if (names.isEmpty()) {
      return new Translation.Skipped(Translation.Skipped.NO_PAGE_OPTION);
    }
    List<MixpanelRecord> records = new ArrayList<>(names.size() + 1);
    for (String eventName : names) {
      ObjectNode properties = EventProperties.of(call, profiles);
      if (name != null) {
        properties.put("name", name);
      }
      if (category != null) {
        properties.put("category", category);
      }
      if (call.settings.actionsEventProperties() && name != null
          && !properties.has("event_original_name")) {
        properties.put("event_original_name", name);
      }
      records.add(call.event(eventName, properties));
    }
    PeopleOperations.afterEvents(call, names, false, records);
    return new Translation.Translated(records, ProfileUpdate.NONE);
  }

  /** The top-level field, else the same key in properties; null when blank. */
  private static String nonBlank(String topLevel, ObjectNode properties, String key) {
    String value = topLevel;
    if ((value == null || value.isBlank()) && properties != null) {
      value = ContextProperties.text(properties.get(key));
    }
    return value == null || value.isBlank() ? null : value;
  }
}

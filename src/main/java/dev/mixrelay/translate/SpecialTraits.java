package dev.mixrelay.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Segment traits renamed to Mixpanel's special profile properties: email, firstName (or
 * first_name), lastName (or last_name), name, username, phone, created/createdAt, avatar become {@code $email} and so on; {@code token}
 * becomes {@code trait_token} (Mixpanel reserves {@code token}). A missing name is derived from
 * firstName + lastName, a missing first/last name from the name's first word and the rest.
 */
final class SpecialTraits {

  /** One trait: its Segment key (null when derived), its Mixpanel key and its value. */
  record Trait(String segmentKey, String mixpanelKey, JsonNode value) {
    /** Kept even when {@code setAllTraitsByDefault} is off: a renamed Mixpanel special trait. */
    boolean special() {
      return mixpanelKey.startsWith("$");
    }

    /** Whether a settings list names this trait, by either key, ignoring case. */
    boolean listedIn(List<String> names) {
      for (String n : names) {
        if (n.equalsIgnoreCase(mixpanelKey)
            || (segmentKey != null && n.equalsIgnoreCase(segmentKey))) {
          return true;
        }
      }
      return false;
    }
  }

  private SpecialTraits() {}

  static List<Trait> of(ObjectNode traits) {
    List<Trait> out = new ArrayList<>();
    if (traits == null) {
      return out;
    }
    Iterator<Map.Entry<String, JsonNode>> it = traits.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      if (key.equals("createdAt") && traits.has("created")
          || key.equals("first_name") && traits.has("firstName")
          || key.equals("last_name") && traits.has("lastName")) {
        continue;
      }
      out.add(new Trait(key, rename(key), e.getValue()));
    }
    String name = trimmed(traits.get("name"));
    String first = trimmed(either(traits, "firstName", "first_name"));
    String last = trimmed(either(traits, "lastName", "last_name"));
    if (name == null && first != null && last != null) {
      out.add(new Trait(null, "$name", TextNode.valueOf(first + " " + last)));
    }
    if (name != null) {
      int space = name.indexOf(' ');
      if (!traits.has("firstName") && !traits.has("first_name")) {
        String derived = space < 0 ? name : name.substring(0, space);
        out.add(new Trait(null, "$first_name", TextNode.valueOf(derived)));
      }
      if (!traits.has("lastName") && !traits.has("last_name") && space >= 0) {
        out.add(new Trait(null, "$last_name", TextNode.valueOf(name.substring(space + 1).trim())));
      }
    }
    return out;
  }

  static String rename(String key) {
    switch (key) {
      case "email": return "$email";
      case "firstName":
      case "first_name": return "$first_name";
      case "lastName":
      case "last_name": return "$last_name";
      case "name": return "$name";
      case "username": return "$username";
      case "phone": return "$phone";
      case "created":
      case "createdAt": return "$created";
      case "avatar": return "$avatar";
      case "token": return "trait_token";
      default: return key;
    }
  }

  /** The camelCase trait, else its snake_case spelling. */
  private static JsonNode either(ObjectNode traits, String camel, String snake) {
    JsonNode v = traits.get(camel);
    return v != null ? v : traits.get(snake);
  }

  private static String trimmed(JsonNode value) {
    if (value == null || !value.isTextual()) {
      return null;
    }
    String s = value.asText().trim();
    return s.isEmpty() ? null : s;
  }
}

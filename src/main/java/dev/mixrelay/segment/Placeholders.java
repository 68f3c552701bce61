package dev.mixrelay.segment;

import java.util.Set;

/**
 * The id values Mixpanel's strict {@code /import} rejects as a distinct_id (wire-protocols A.5,
 * case as listed): intake refuses them where they would become one, translation never sends them.
 */
public final class Placeholders {
  private static final Set<String> VALUES = Set.of("00000000-0000-0000-0000-000000000000",
      "anon", "anonymous", "nil", "none", "null", "n/a", "na", "undefined", "unknown", "<nil>",
      "0", "-1", "true", "false", "[]", "{}");

  private Placeholders() {}

  /** Whether {@code id} is one of the placeholders. */
  public static boolean is(String id) {
    return id != null && VALUES.contains(id);
  }

  /** The refusal reason for {@code field} holding the placeholder {@code id}. */
  public static String reason(String id) {
    return "is '" + id + "', a placeholder Mixpanel rejects as a distinct_id";
  }
}

package dev.mixrelay.session;

import dev.mixrelay.config.SessionConfig;
import dev.mixrelay.config.SessionConfig.Mode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The session definition a {@link SessionConfig} asks for, in the form the core reads fast. */
record SessionRules(
    Mode mode,
    long timeoutMillis,
    long latenessMillis,
    String startEvent,
    String endEvent,
    String sessionIdProperty,
    Set<String> excluded,
    List<String> associated,
    String startEventName,
    String endEventName) {

  /** Mixpanel's default excluded events (its own API events). */
  static final List<String> DEFAULT_EXCLUDED = List.of("$identify", "$create_alias", "$merge",
      "$hotshard_events", "$campaign_delivery", "$campaign_bounced", "$campaign_marked_spam",
      "$message_suppressed", "$unsubscribe", "$journey_entered");

  /** Mixpanel's default associated properties, copied onto the session events. */
  static final List<String> DEFAULT_ASSOCIATED = List.of("$app_build_number",
      "$app_version_string", "$browser", "$city", "$country_code", "$current_url", "$device",
      "$manufacturer", "$os", "$region", "mp_country_code", "mp_lib", "mp_platform",
      "utm_campaign", "utm_content", "utm_source");

  static SessionRules of(SessionConfig c) {
    Set<String> excluded = new HashSet<>(DEFAULT_EXCLUDED);
    excluded.addAll(c.excludedEvents());
    List<String> associated = new ArrayList<>(DEFAULT_ASSOCIATED);
    for (String extra : c.extraProperties()) {
      if (!associated.contains(extra)) {
        associated.add(extra);
      }
    }
    return new SessionRules(c.mode(), c.timeout().toMillis(), c.allowedLateness().toMillis(),
        c.startEvent(), c.endEvent(), c.sessionIdProperty(), Set.copyOf(excluded),
        List.copyOf(associated), c.startEventName(), c.endEventName());
  }

  /** Whether a session of this mode that is cut without its end event still gets a Session End. */
  boolean endsWithoutEndEvent() {
    return mode != Mode.event;
  }
}

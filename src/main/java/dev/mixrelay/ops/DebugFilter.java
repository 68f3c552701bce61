package dev.mixrelay.ops;

import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.segment.SegmentMessage;
import java.util.List;
import java.util.Locale;

/**
 * What one debugger viewer wants to see: a source name and a message type (exact), a user id
 * (part of userId, anonymousId or previousId) and an event name (part of the Segment event or of
 * a Mixpanel event it became, any case). An empty field matches everything.
 */
record DebugFilter(String source, String type, String user, String event) {

  static DebugFilter of(String source, String type, String user, String event) {
    return new DebugFilter(blank(source), blank(type), blank(user),
        blank(event) == null ? null : event.trim().toLowerCase(Locale.ROOT));
  }

  boolean matches(String messageSource, SegmentMessage m, List<MixpanelRecord> records,
      List<MixpanelRecord> sessionRecords) {
    if (source != null && !source.equals(messageSource)) {
      return false;
    }
    if (type != null && (m.type() == null || !type.equals(m.type().wireName()))) {
      return false;
    }
    if (user != null && !contains(m.userId(), user) && !contains(m.anonymousId(), user)
        && !contains(m.previousId(), user)) {
      return false;
    }
    return event == null || eventMatches(m.event()) || anyEventMatches(records)
        || anyEventMatches(sessionRecords);
  }

  private boolean anyEventMatches(List<MixpanelRecord> records) {
    for (MixpanelRecord r : records) {
      if (eventMatches(r.eventName())) {
        return true;
      }
    }
    return false;
  }

  private boolean eventMatches(String name) {
    return name != null && name.toLowerCase(Locale.ROOT).contains(event);
  }

  private static boolean contains(String value, String part) {
    return value != null && value.contains(part);
  }

  private static String blank(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}

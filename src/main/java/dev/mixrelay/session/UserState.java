package dev.mixrelay.session;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The open session of one user key: primitives and shared references only, so an idle session is
 * small. A user with no open session has no state at all. Mutable, owned by one caller at a time.
 */
final class UserState {
  /** The key is a user id ($user_id or a linked device), not a device or bare distinct_id. */
  boolean user;
  long first;
  long last;
  int count;
  /** Tells apart sessions of one key that start in the same millisecond (see SessionRecords). */
  int startId;
  String startName;
  String endName;
  /** The first $device_id seen in the session; null when the key is that device's own. */
  String deviceId;
  /** Property mode: the session id value of the run. */
  JsonNode value;
  /**
   * Associated properties indexed as {@link SessionRules#associated()}; null while none. Shared
   * between sessions through the interner: never changed, replaced.
   */
  JsonNode[] props;
  /** Wall-clock ms at which the session's newest event arrived. */
  long lastArrival;
  /** The lowest intake log offset among the session's events. */
  long minOffset;
  /** The id of the timer entry that speaks for this state; others are stale. */
  int timer;

  /** A copy of every field (the shared property arrays and nodes are never changed in place). */
  UserState copy() {
    UserState c = new UserState();
    c.user = user;
    c.first = first;
    c.last = last;
    c.count = count;
    c.startId = startId;
    c.startName = startName;
    c.endName = endName;
    c.deviceId = deviceId;
    c.value = value;
    c.props = props;
    c.lastArrival = lastArrival;
    c.minOffset = minOffset;
    c.timer = timer;
    return c;
  }
}

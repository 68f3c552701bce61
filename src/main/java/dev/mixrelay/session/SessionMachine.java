package dev.mixrelay.session;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mixrelay.config.SessionConfig.Mode;
import dev.mixrelay.session.SessionListener.Reason;
import java.util.List;

/**
 * The pure per-user state machine: {@code (state, event) -> (state, closed sessions)} for events
 * fed in time order, and {@code (state, watermark) -> (state, closed sessions)}. No I/O, no clock.
 * The definition is in {@code package-info.java}. A null state means "no open session".
 */
final class SessionMachine {
  private final SessionRules rules;
  private final LocalDays days;
  private final Interner interner;

  SessionMachine(SessionRules rules, LocalDays days, Interner interner) {
    this.rules = rules;
    this.days = days;
    this.interner = interner;
  }

  /**
   * Applies one counted (not excluded) event of user {@code key}; events reach here in time order.
   * Returns the state to keep and adds the sessions the event closed to {@code out}.
   */
  UserState onEvent(String key, boolean user, UserState s, SessionEvent e, List<Closed> out) {
    switch (rules.mode()) {
      case timeout:
        return onTimeoutEvent(key, user, s, e, out);
      case event:
        return onEventModeEvent(key, user, s, e, out);
      case property:
        return onPropertyEvent(key, user, s, e, out);
      default:
        return s;
    }
  }

  /** Closes the session when no event at or after {@code watermark} can change it any more. */
  UserState onWatermark(String key, UserState s, long watermark, List<Closed> out) {
    if (s != null && deadline(s) <= watermark) {
      boolean midnight = watermark >= days.endOfDay(s.first);
      out.add(new Closed(key, s, rules.endsWithoutEndEvent(),
          midnight ? Reason.MIDNIGHT : Reason.TIMEOUT));
      return null;
    }
    return s;
  }

  /** The event time from which on no event can extend the session. */
  long deadline(UserState s) {
    long endOfDay = days.endOfDay(s.first);
    return rules.mode() == Mode.timeout
        ? Math.min(s.last + rules.timeoutMillis(), endOfDay) : endOfDay;
  }

  /** The wall-clock ms from which the session is closed although no later event came. */
  long wallDeadline(UserState s) {
    long idle = s.lastArrival + rules.timeoutMillis() + rules.latenessMillis();
    return rules.mode() == Mode.timeout
        ? idle : Math.max(idle, days.endOfDay(s.first) + rules.latenessMillis());
  }

  /** Closes a session the runtime gave up waiting on (wall clock, re-key collision, flush). */
  Closed close(String key, UserState s, Reason reason) {
    return new Closed(key, s, rules.endsWithoutEndEvent(), reason);
  }

  private UserState onTimeoutEvent(String key, boolean user, UserState s, SessionEvent e,
      List<Closed> out) {
    if (s != null && e.time() >= days.endOfDay(s.first)) {
      out.add(new Closed(key, s, true, Reason.MIDNIGHT));
      s = null;
    } else if (s != null && e.time() - s.last >= rules.timeoutMillis()) {
      out.add(new Closed(key, s, true, Reason.TIMEOUT));
      s = null;
    }
    if (s == null) {
      return open(key, user, e);
    }
    extend(key, s, e);
    s.props = firstDefined(s.props, e.props());
    return s;
  }

  /**
   * One key's two sessions made of different events (one task saw {@code earlier}'s, another
   * {@code later}'s) as one would have made them: {@code later} continues {@code earlier} when its
   * first event would have, and their events interleaving within one local day are one session
   * (timeout and property mode); otherwise {@code earlier} is closed, as its gap or value change
   * closes it, or (event mode) as it is. Returns the session left open.
   */
  UserState join(String key, UserState earlier, UserState later, List<Closed> out) {
    if (earlier.last <= later.first && later.first < deadline(earlier)
        && (rules.mode() == Mode.timeout
            || rules.mode() == Mode.property && java.util.Objects.equals(earlier.value, later.value))) {
      earlier.last = later.last;
      earlier.count += later.count;
      earlier.endName = later.endName;
      if (earlier.deviceId == null) {
        earlier.deviceId = later.deviceId;
      }
      earlier.lastArrival = Math.max(earlier.lastArrival, later.lastArrival);
      earlier.minOffset = Math.min(earlier.minOffset, later.minOffset);
      if (rules.mode() == Mode.timeout) {
        earlier.props = firstDefined(earlier.props, later.props);
      }
      return earlier;
    }
    boolean oneRun = rules.mode() == Mode.timeout
        || rules.mode() == Mode.property && java.util.Objects.equals(earlier.value, later.value);
    if (oneRun && earlier.first <= later.first && earlier.last > later.first
        && Math.max(earlier.last, later.last) < days.endOfDay(earlier.first)) {
      // their events interleave: every gap of the union is within one of them, one session
      if (later.last > earlier.last) {
        earlier.last = later.last;
        earlier.endName = later.endName;
      }
      earlier.count += later.count;
      if (earlier.deviceId == null) {
        earlier.deviceId = later.deviceId;
      }
      earlier.lastArrival = Math.max(earlier.lastArrival, later.lastArrival);
      earlier.minOffset = Math.min(earlier.minOffset, later.minOffset);
      if (rules.mode() == Mode.timeout) {
        earlier.props = firstDefined(earlier.props, later.props);
      }
      return earlier;
    }
    Reason reason = earlier.last > later.first || rules.mode() == Mode.event
        ? Reason.REKEY_COLLISION
        : later.first >= days.endOfDay(earlier.first) ? Reason.MIDNIGHT
        : rules.mode() == Mode.property ? Reason.VALUE_CHANGE : Reason.TIMEOUT;
    out.add(new Closed(key, earlier, rules.endsWithoutEndEvent(), reason));
    return later;
  }

  /** Each property's first value: {@code had}, completed from {@code more} (a shared array). */
  private JsonNode[] firstDefined(JsonNode[] had, JsonNode[] more) {
    if (more == null || had == more) {
      return had;
    }
    if (had == null) {
      return more;
    }
    JsonNode[] merged = null;
    for (int i = 0; i < had.length; i++) {
      if (had[i] == null && more[i] != null) {
        if (merged == null) {
          merged = had.clone();
        }
        merged[i] = more[i];
      }
    }
    return merged == null ? had : interner.props(merged);
  }

  private UserState onEventModeEvent(String key, boolean user, UserState s, SessionEvent e,
      List<Closed> out) {
    if (s != null && e.time() >= days.endOfDay(s.first)) {
      out.add(new Closed(key, s, false, Reason.MIDNIGHT));
      s = null;
    }
    String name = e.name();
    if (s != null && name.equals(rules.endEvent())) {
      extend(key, s, e);
      out.add(new Closed(key, s, true, Reason.END_EVENT));
      return null;
    }
    if (s == null) {
      return name.equals(rules.startEvent()) ? open(key, user, e) : null;
    }
    extend(key, s, e);
    return s;
  }

  private UserState onPropertyEvent(String key, boolean user, UserState s, SessionEvent e,
      List<Closed> out) {
    if (e.value() == null) {
      return s;
    }
    if (s != null && e.time() >= days.endOfDay(s.first)) {
      out.add(new Closed(key, s, true, Reason.MIDNIGHT));
      s = null;
    } else if (s != null && !e.value().equals(s.value)) {
      out.add(new Closed(key, s, true, Reason.VALUE_CHANGE));
      s = null;
    }
    if (s == null) {
      return open(key, user, e);
    }
    extend(key, s, e);
    return s;
  }

  private static UserState open(String key, boolean user, SessionEvent e) {
    UserState s = new UserState();
    s.user = user;
    s.first = e.time();
    s.last = e.time();
    s.count = 1;
    s.startId = e.keyed() ? DedupKey.startId(e.keyHi()) : (int) e.seq();
    s.startName = e.name();
    s.endName = e.name();
    s.deviceId = ownDevice(key, e.deviceId()) ? null : e.deviceId();
    s.value = e.value();
    s.props = e.props();
    s.lastArrival = e.arrival();
    s.minOffset = e.offset();
    return s;
  }

  private static void extend(String key, UserState s, SessionEvent e) {
    s.last = e.time();
    s.count++;
    s.endName = e.name();
    if (s.deviceId == null && !ownDevice(key, e.deviceId())) {
      s.deviceId = e.deviceId();
    }
    s.lastArrival = Math.max(s.lastArrival, e.arrival());
    s.minOffset = Math.min(s.minOffset, e.offset());
  }

  /** Whether the key is {@code $device:<device>}, so the device id needs no storing. */
  static boolean ownDevice(String key, String device) {
    return device != null && key.length() == device.length() + 8 && key.startsWith("$device:")
        && key.endsWith(device);
  }

  /** The session's $device_id: stored, or the key's own device. */
  static String deviceId(String key, UserState s) {
    if (s.deviceId != null) {
      return s.deviceId;
    }
    return key.startsWith("$device:") && !s.user ? key.substring(8) : null;
  }
}

package dev.mixrelay.session;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The entries of a {@link Sessionizer}'s state touched since its last drain, by entry key (see
 * {@link Sessionizer#drainChanges}). Off until the first drain, so an engine that never drains
 * pays one boolean test per change. An entry's value is read at the drain ({@link #LAZY}) unless
 * the parts that touch it give it: a device link (its user), a held event (the event), or
 * {@link #GONE}. Entries of the ordered parts (links, placed keys, applied handoff ids) sit in the
 * order their part keeps them, so the drain can stamp them in that order.
 */
final class Changes {
  static final Object LAZY = new Object();
  static final Object GONE = new Object();

  static final String FINGERPRINT = "f";
  static final String SCALARS = "s";
  static final String HANDOFFS = "c";
  static final String USER = "u/";
  static final String LINK = "l/";
  static final String HELD = "h/";
  static final String PLACED = "p/";
  static final String APPLIED = "c/";
  static final String TIMELINE = "t/";
  static final String RETIRED = "w/";

  boolean on;
  final LinkedHashMap<String, Object> dirty = new LinkedHashMap<>();

  void user(String key) {
    if (on) {
      dirty.put(USER + key, LAZY);
    }
  }

  /** A link read, added or dropped ({@code user} null): its recency moved to the newest. */
  void link(String device, String user) {
    if (on) {
      last(LINK + device, user == null ? GONE : user);
    }
  }

  /** An event added to the held events (new: never drained before) or placed ({@code gone}). */
  void held(SessionEvent e, boolean gone) {
    if (!on) {
      return;
    }
    String key = heldKey(e);
    if (!gone) {
      dirty.put(key, new Fresh(e));
    } else if (dirty.get(key) instanceof Fresh f && f.event == e) {
      dirty.remove(key); // held and placed between two drains: no entry ever had it
    } else {
      dirty.put(key, GONE);
    }
  }

  /** A held event present now, which an earlier drain may have given. */
  void heldPresent(SessionEvent e) {
    if (on) {
      dirty.put(heldKey(e), e);
    }
  }

  /** A held event added since the last drain. */
  record Fresh(SessionEvent event) {}

  void placed(String dedupKey) {
    if (on) {
      last(PLACED + dedupKey, LAZY);
    }
  }

  /** A user's timeline changed, came or went (its recency moved to the newest). */
  void timeline(String key) {
    if (on) {
      last(TIMELINE + key, LAZY);
    }
  }

  /** A retired floor added, changed or dropped. */
  void retired(String key) {
    if (on) {
      last(RETIRED + key, LAZY);
    }
  }

  void applied(String id) {
    if (on) {
      last(APPLIED + id, LAZY);
    }
  }

  static String heldKey(SessionEvent e) {
    return HELD + e.time() + "/" + e.seq();
  }

  private void last(String key, Object value) {
    dirty.remove(key);
    dirty.put(key, value);
  }

  /** The dirty entries in the order touched last (ordered parts: the order the part keeps). */
  Iterable<Map.Entry<String, Object>> entries() {
    return dirty.entrySet();
  }
}

package dev.mixrelay.session;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The open sessions by user key: in memory at most {@code maxUsersInMemory}, least recently
 * settled spilled first and kept serialized. Two ways to use a state: {@link #lookup} then
 * {@link #settle} (changed in place, the fast path), or {@link #take} then {@link #store} (owned in
 * between, for work that touches two users). Single-threaded. Every settle, take and store is told
 * to {@link Changes}; a spill is not (the user's entry is the same).
 *
 * <p>A LinkedHashMap in insertion order, a settled user moved to its end, rather than a Caffeine
 * cache: about 40 B less per open session (Caffeine's node, its concurrent map's node and its
 * frequency sketch) and less work per event, on a map only one thread ever touches. Which users
 * spill changes only how often a spilled one is read back, never a session.
 */
final class UserStore {
  private final StateCodec codec;
  private final Changes changes;
  private final SessionListener listener;
  private final long maxInMemory;
  private final LinkedHashMap<String, UserState> users = new LinkedHashMap<>(16, 0.75f, false) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, UserState> eldest) {
      if (size() <= maxInMemory) {
        return false;
      }
      spilled.put(eldest.getKey(), codec.encodeUser(eldest.getValue()));
      listener.userSpilled();
      return true;
    }
  };
  private final Map<String, byte[]> spilled = new HashMap<>();
  private boolean fromMemory;

  UserStore(long maxInMemory, StateCodec codec, SessionListener listener, Changes changes) {
    this.maxInMemory = maxInMemory;
    this.codec = codec;
    this.listener = listener;
    this.changes = changes;
  }

  /**
   * A user's state to change in place, from memory (no copy) or the spill; follow with
   * {@link #settle}, with no other call on this store in between.
   */
  UserState lookup(String key) {
    UserState s = users.get(key);
    fromMemory = s != null;
    if (s == null) {
      byte[] b = spilled.remove(key);
      s = b == null ? null : codec.decodeUser(b);
    }
    return s;
  }

  /** Keeps {@code after} as the user's state (null: none), replacing what lookup gave. */
  void settle(String key, UserState before, UserState after) {
    changes.user(key);
    if (fromMemory) {
      users.remove(key); // put back at the end: the most recently settled
    }
    if (after != null) {
      users.put(key, after);
    }
  }

  /**
   * A copy-free look at a user's state without touching recency or the spill (read only: the
   * caller must not change it); null when the user has no open session.
   */
  UserState peek(String key) {
    UserState s = users.get(key);
    if (s == null) {
      byte[] b = spilled.get(key);
      s = b == null ? null : codec.decodeUser(b);
    }
    return s;
  }

  /** Removes a user's state from memory or the spill; the caller owns it until {@link #store}. */
  UserState take(String key) {
    changes.user(key);
    UserState s = users.remove(key);
    if (s == null) {
      byte[] b = spilled.remove(key);
      s = b == null ? null : codec.decodeUser(b);
    }
    return s;
  }

  void store(String key, UserState s) {
    changes.user(key);
    spilled.remove(key);
    users.remove(key);
    users.put(key, s);
  }

  /**
   * A user's state as {@link StateCodec#encodeUser} writes it, or null when the user has no open
   * session; like {@link #peek}, leaves recency and the spill as they were.
   */
  byte[] encoded(String key) {
    UserState s = users.get(key);
    return s != null ? codec.encodeUser(s) : spilled.get(key);
  }

  boolean contains(String key) {
    return users.containsKey(key) || spilled.containsKey(key);
  }

  long size() {
    return users.size() + spilled.size();
  }

  /** The lowest log offset any open session holds, or {@code min} if lower. */
  long minOffset(long min) {
    for (UserState s : users.values()) {
      min = Math.min(min, s.minOffset);
    }
    for (byte[] b : spilled.values()) {
      min = Math.min(min, StateCodec.minOffset(b));
    }
    return min;
  }

  Map<String, UserState> inMemory() {
    return users;
  }

  Map<String, byte[]> spilled() {
    return spilled;
  }

  void clear() {
    users.clear();
    spilled.clear();
  }
}

package dev.mixrelay.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.HashMap;
import java.util.Map;

/**
 * The open sessions by user key: a Caffeine cache bounded by {@code maxUsersInMemory}, and the
 * users it evicts kept serialized. Two ways to use a state: {@link #lookup} then {@link #settle}
 * (changed in place, the fast path), or {@link #take} then {@link #store} (owned in between, for
 * work that touches two users). Single-threaded; maintenance runs on the caller's thread. Every
 * settle, take and store is told to {@link Changes}; a spill is not (the user's entry is the same).
 */
final class UserStore {
  private final StateCodec codec;
  private final Changes changes;
  private final Cache<String, UserState> users;
  private final Map<String, byte[]> spilled = new HashMap<>();
  private boolean fromCache;

  UserStore(long maxInMemory, StateCodec codec, SessionListener listener, Changes changes) {
    this.codec = codec;
    this.changes = changes;
    this.users = Caffeine.newBuilder()
        .maximumSize(maxInMemory)
        .executor(Runnable::run)
        .<String, UserState>evictionListener((key, state, cause) -> {
          if (cause.wasEvicted() && key != null && state != null) {
            spilled.put(key, codec.encodeUser(state));
            listener.userSpilled();
          }
        })
        .build();
  }

  /**
   * A user's state to change in place, from memory (no copy) or the spill; follow with
   * {@link #settle}, with no other call on this store in between.
   */
  UserState lookup(String key) {
    UserState s = users.getIfPresent(key);
    fromCache = s != null;
    if (s == null) {
      byte[] b = spilled.remove(key);
      s = b == null ? null : codec.decodeUser(b);
    }
    return s;
  }

  /** Keeps {@code after} as the user's state (null: none), replacing what lookup gave. */
  void settle(String key, UserState before, UserState after) {
    changes.user(key);
    // the lookup itself may have run cache maintenance that spilled the state it returned
    boolean spilledMeanwhile = fromCache && spilled.remove(key) != null;
    if (after == null) {
      if (fromCache && !spilledMeanwhile) {
        users.invalidate(key);
      }
    } else if (after != before || !fromCache || spilledMeanwhile) {
      users.put(key, after);
    }
  }

  /**
   * A copy-free look at a user's state without touching recency or the spill (read only: the
   * caller must not change it); null when the user has no open session.
   */
  UserState peek(String key) {
    UserState s = users.policy().getIfPresentQuietly(key);
    if (s == null) {
      byte[] b = spilled.get(key);
      s = b == null ? null : codec.decodeUser(b);
    }
    return s;
  }

  /** Removes a user's state from memory or the spill; the caller owns it until {@link #store}. */
  UserState take(String key) {
    changes.user(key);
    UserState s = users.asMap().remove(key);
    if (s == null) {
      byte[] b = spilled.remove(key);
      s = b == null ? null : codec.decodeUser(b);
    }
    return s;
  }

  void store(String key, UserState s) {
    changes.user(key);
    users.put(key, s);
  }

  /**
   * A user's state as {@link StateCodec#encodeUser} writes it, or null when the user has no open
   * session; like {@link #peek}, leaves recency and the spill as they were.
   */
  byte[] encoded(String key) {
    UserState s = users.policy().getIfPresentQuietly(key);
    return s != null ? codec.encodeUser(s) : spilled.get(key);
  }

  boolean contains(String key) {
    return users.policy().getIfPresentQuietly(key) != null || spilled.containsKey(key);
  }

  long size() {
    users.cleanUp();
    return users.estimatedSize() + spilled.size();
  }

  /** The lowest log offset any open session holds, or {@code min} if lower. */
  long minOffset(long min) {
    for (UserState s : users.asMap().values()) {
      min = Math.min(min, s.minOffset);
    }
    for (byte[] b : spilled.values()) {
      min = Math.min(min, StateCodec.minOffset(b));
    }
    return min;
  }

  Map<String, UserState> inMemory() {
    return users.asMap();
  }

  Map<String, byte[]> spilled() {
    return spilled;
  }

  void clear() {
    users.invalidateAll();
    spilled.clear();
  }
}

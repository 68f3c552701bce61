package dev.mixrelay.cluster;

import dev.mixrelay.identity.SuperPropertyStore;
import dev.mixrelay.session.Sessionizer;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session task's state in its changelogged key-value store: each destination's sessions and
 * super properties. Written through after every stage call ({@link #save}), so the store always
 * reflects exactly the input processed; under {@code exactly_once_v2} the store's changelog, the
 * task's output and its input offsets then commit in one transaction. The store's cache lets only
 * the last write of a key per commit reach the changelog.
 *
 * <p>Keys: {@code sessions:<destination>} and {@code profiles:<destination>}, each a whole
 * snapshot of the destination's state on this task.
 */
final class TaskState {
  private static final Logger LOG = LoggerFactory.getLogger(TaskState.class);
  static final String SESSIONS_PREFIX = "sessions:";
  static final String PROFILES_PREFIX = "profiles:";

  private final KeyValueStore<String, byte[]> store;
  private final SuperPropertyStore profiles;
  private final int partition;
  private final Map<String, Long> savedProfileVersion = new HashMap<>();

  TaskState(KeyValueStore<String, byte[]> store, SuperPropertyStore profiles, int partition) {
    this.store = store;
    this.profiles = profiles;
    this.partition = partition;
  }

  /** Puts the destination's saved state (if any) into its sessionizer and the profiles. */
  void restore(String dest, Sessionizer sessions) {
    byte[] saved = store.get(SESSIONS_PREFIX + dest);
    if (saved != null) {
      try {
        sessions.restore(saved);
      } catch (IllegalArgumentException bad) {
        LOG.warn("the session state of {} on partition {} does not match its current session"
            + " settings; its sessions start empty: {}", dest, partition, bad.getMessage());
      }
    }
    byte[] savedProfiles = store.get(PROFILES_PREFIX + dest);
    if (savedProfiles != null) {
      try {
        profiles.restore(dest, savedProfiles);
      } catch (IllegalArgumentException bad) {
        LOG.warn("the super properties of {} on partition {} are unreadable; they start empty",
            dest, partition);
      }
    }
    savedProfileVersion.put(dest, profiles.version(dest));
  }

  /** Writes what changed of the destination's state since the last save. */
  void save(String dest, Sessionizer sessions) {
    store.put(SESSIONS_PREFIX + dest, sessions.snapshot());
    long version = profiles.version(dest);
    if (version != savedProfileVersion.getOrDefault(dest, -1L)) {
      store.put(PROFILES_PREFIX + dest, profiles.snapshot(dest));
      savedProfileVersion.put(dest, version);
    }
  }
}

package dev.mixrelay.cluster;

import dev.mixrelay.identity.SuperPropertyStore;
import dev.mixrelay.session.Sessionizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session task's state in its changelogged key-value store: each destination's sessions and
 * super properties. Contract: {@link #save} is called after every call from Kafka Streams and writes what
 * changed since the last one, so the store always reflects exactly the input processed; under
 * {@code exactly_once_v2} the store's changelog, the task's output and its input offsets then
 * commit in one transaction. The store's cache lets only a key's last write per commit reach the
 * changelog.
 *
 * <p>Keys: {@code s\0<destination>\0<entry>} for each entry of the sessionizer's state ({@link
 * Sessionizer#drainChanges}: one per open session, link, held event...), and {@code
 * p\0<destination>\0<user key>} for each user's super properties ({@link
 * SuperPropertyStore#drainChanges}). Migration: a store written before per-key entries holds
 * {@code sessions:<destination>} and {@code profiles:<destination>}, whole snapshots; each is
 * restored once, written as entries and deleted, in the same transaction.
 */
final class TaskState {
  private static final Logger LOG = LoggerFactory.getLogger(TaskState.class);
  /** The whole-snapshot key of a destination's sessions before per-key entries (migrated). */
  static final String LEGACY_SESSIONS_PREFIX = "sessions:";
  /** The whole-snapshot key of a destination's super properties before per-key entries. */
  static final String LEGACY_PROFILES_PREFIX = "profiles:";
  private static final StringSerializer KEYS = new StringSerializer();

  private final KeyValueStore<String, byte[]> store;
  private final SuperPropertyStore profiles;
  private final int partition;

  TaskState(KeyValueStore<String, byte[]> store, SuperPropertyStore profiles, int partition) {
    this.store = store;
    this.profiles = profiles;
    this.partition = partition;
  }

  /** The store-key prefix of a destination's session entries. */
  static String sessionsPrefix(String dest) {
    return "s\0" + dest + "\0";
  }

  /** The store-key prefix of a destination's super properties, one entry per user. */
  static String profilesPrefix(String dest) {
    return "p\0" + dest + "\0";
  }

  /** Puts the destination's saved state (if any) into its sessionizer and the profiles. */
  void restore(String dest, Sessionizer sessions) {
    String prefix = sessionsPrefix(dest);
    byte[] legacy = store.get(LEGACY_SESSIONS_PREFIX + dest);
    try {
      if (legacy != null) {
        sessions.restore(legacy);
        drain(dest, sessions); // the first drain after a restore hands the whole state
        store.put(LEGACY_SESSIONS_PREFIX + dest, null);
        LOG.info("the session state of {} on partition {} moves from a snapshot to per-key"
            + " entries", dest, partition);
      } else {
        List<Map.Entry<String, byte[]>> entries = scan(prefix);
        if (!entries.isEmpty()) {
          sessions.restoreEntries(entries.iterator());
        }
      }
    } catch (IllegalArgumentException bad) {
      LOG.warn("the session state of {} on partition {} does not match its current session"
          + " settings; its sessions start empty: {}", dest, partition, bad.getMessage());
      deleteAll(prefix);
      store.put(LEGACY_SESSIONS_PREFIX + dest, null);
    }
    restoreProfiles(dest);
  }

  private void restoreProfiles(String dest) {
    String prefix = profilesPrefix(dest);
    byte[] legacy = store.get(LEGACY_PROFILES_PREFIX + dest);
    try {
      if (legacy != null) {
        profiles.restore(dest, legacy);
        drainProfiles(dest); // the first drain not after restoreEntries hands every user
        store.put(LEGACY_PROFILES_PREFIX + dest, null);
      } else {
        List<Map.Entry<String, byte[]>> entries = scan(prefix);
        if (!entries.isEmpty()) {
          profiles.restoreEntries(dest, entries.iterator());
        }
      }
    } catch (IllegalArgumentException bad) {
      LOG.warn("the super properties of {} on partition {} are unreadable; those not read start"
          + " empty: {}", dest, partition, bad.getMessage());
    }
  }

  /** Writes what changed of the destination's state since the last save. */
  void save(String dest, Sessionizer sessions) {
    drain(dest, sessions);
    drainProfiles(dest);
  }

  /** The entries under {@code prefix}, keyed without it. */
  private List<Map.Entry<String, byte[]>> scan(String prefix) {
    List<Map.Entry<String, byte[]>> entries = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = store.prefixScan(prefix, KEYS)) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        entries.add(Map.entry(kv.key.substring(prefix.length()), kv.value));
      }
    }
    return entries;
  }

  private void drainProfiles(String dest) {
    String prefix = profilesPrefix(dest);
    profiles.drainChanges(dest, (key, value) -> store.put(prefix + key, value)); // null: gone
  }

  private void drain(String dest, Sessionizer sessions) {
    String prefix = sessionsPrefix(dest);
    sessions.drainChanges((key, value) -> store.put(prefix + key, value)); // null: deleted
  }

  private void deleteAll(String prefix) {
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = store.prefixScan(prefix, KEYS)) {
      it.forEachRemaining(kv -> keys.add(kv.key));
    }
    keys.forEach(k -> store.put(k, null));
  }
}

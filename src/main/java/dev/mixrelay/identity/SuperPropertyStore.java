package dev.mixrelay.identity;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * What the relay remembers per destination and user key (userId, else {@code $device:} +
 * anonymousId): the super properties identify calls register, added to the user's later events.
 *
 * <p>In-process and bounded ({@link #inMemory(long)}); the app saves a destination's {@link
 * #snapshot} with its session checkpoint and {@link #restore}s it on start, so a restart keeps
 * them. Implementations are thread-safe.
 */
public interface SuperPropertyStore {

  /**
   * The properties remembered for the user, or null when none. The returned object is never
   * changed afterwards (a merge replaces it), and the caller must not change it either.
   */
  ObjectNode get(String destination, String userKey);

  /**
   * Merges {@code properties} over what is remembered: keys are added or replaced, a JSON null
   * value forgets the key. {@code properties} is copied, not kept.
   */
  void merge(String destination, String userKey, ObjectNode properties);

  /** Counts the merges into a destination's users, so a caller can tell whether it changed. */
  long version(String destination);

  /** What is remembered for a destination's users, as bytes {@link #restore} reads back. */
  byte[] snapshot(String destination);

  /**
   * Puts back a destination's users from {@link #snapshot}'s bytes (over what is there).
   *
   * @throws IllegalArgumentException when the bytes are not a snapshot
   */
  void restore(String destination, byte[] snapshot);

  /**
   * Hands every user of the destination whose properties changed since the last drain of it to
   * {@code sink}: {@code (userKey, JSON object bytes)}, or {@code (userKey, null)} when the user
   * is forgotten (all keys nulled, or evicted by the bound); and forgets them. The entries handed
   * so far, latest per key, describe the destination's users. Costs what changed, except the
   * first drain of a destination (not preceded by {@link #restoreEntries}), which hands all its
   * users: changes are tracked per destination from then on.
   */
  void drainChanges(String destination, BiConsumer<String, byte[]> sink);

  /**
   * Replaces the destination's users by those the entries describe ({@link #drainChanges}' keys
   * and values, latest per key, removed keys absent; any order); changes are tracked from here.
   *
   * @throws IllegalArgumentException when a value is not a JSON object; the users read before it
   *     are kept
   */
  void restoreEntries(String destination, Iterator<Map.Entry<String, byte[]>> entries);

  /** The number of users remembered (approximate for bounded stores). */
  long size();

  /** An in-process store that keeps at most {@code maxUsers} users, evicting the least used. */
  static SuperPropertyStore inMemory(long maxUsers) {
    if (maxUsers < 1) {
      throw new IllegalArgumentException("maxUsers must be at least 1, was " + maxUsers);
    }
    return new InMemorySuperPropertyStore(maxUsers);
  }
}

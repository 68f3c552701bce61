package dev.mixrelay.session;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the sessionizer needs of one outgoing event, read once from its {@code /import} record.
 *
 * @param time event time, epoch ms
 * @param seq arrival order, which breaks ties between equal times
 * @param offset the intake log offset the event came from
 * @param arrival wall-clock ms at which it reached the sessionizer
 * @param linkFrom a device (or original-mode anonymous) id this event links to {@code linkTo}
 * @param linkAnon true when the link came from original-mode {@code $anon_id}
 * @param keyHi the first 64 of the 128 bits of its {@link DedupKey} (event, distinct_id, time and
 *     $insert_id: Mixpanel's de-duplication key); 0 with {@code keyLo} 0 without an $insert_id
 * @param keyLo the last 64 bits of its {@link DedupKey}
 * @param value the session id property's value (property mode), or null when absent
 * @param props the associated properties, indexed as {@link SessionRules#associated()}; null if none
 */
record SessionEvent(long time, long seq, long offset, long arrival, String name, String userId,
    String deviceId, String distinctId, String linkFrom, String linkTo, boolean linkAnon,
    long keyHi, long keyLo, JsonNode value, JsonNode[] props) {

  /** Whether it has a de-duplication key (an {@code $insert_id}). */
  boolean keyed() {
    return keyHi != 0 || keyLo != 0;
  }

  /** Its {@link DedupKey} as text (22 characters), or null without an $insert_id. */
  String dedupKey() {
    return keyed() ? DedupKey.text(keyHi, keyLo) : null;
  }
}

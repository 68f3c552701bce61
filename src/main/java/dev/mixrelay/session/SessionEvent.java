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
 * @param dedupKey event, distinct_id, time and $insert_id (Mixpanel's de-duplication key) as a
 *     {@link DedupKey}, or null without an $insert_id
 * @param value the session id property's value (property mode), or null when absent
 * @param props the associated properties, indexed as {@link SessionRules#associated()}; null if none
 */
record SessionEvent(long time, long seq, long offset, long arrival, String name, String userId,
    String deviceId, String distinctId, String linkFrom, String linkTo, boolean linkAnon,
    String dedupKey, JsonNode value, JsonNode[] props) {}

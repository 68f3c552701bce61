package dev.mixrelay.session;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the sessionizer needs of one outgoing event, read once from its {@code /import} record.
 * Immutable. A class, not a record, so that its link takes one field: 88 B of heap per held event
 * where the three fields of a record took 96.
 */
final class SessionEvent {
  /** A link that is not this event's own device to its own user. */
  private record Link(String from, String to, boolean anon) {}

  private final long time;
  private final long seq;
  private final long offset;
  private final long arrival;
  private final long keyHi;
  private final long keyLo;
  private final String name;
  private final String userId;
  private final String deviceId;
  private final String distinctId;
  /**
   * Null without a link; {@link Boolean} for a link from its {@code deviceId} to its
   * {@code userId} (the common one), true when it came from original-mode {@code $anon_id}; else a
   * {@link Link}.
   */
  private final Object link;
  private final JsonNode value;
  private final JsonNode[] props;

  /**
   * An event.
   *
   * @param time event time, epoch ms
   * @param seq arrival order, which breaks ties between equal times
   * @param offset the intake log offset the event came from
   * @param arrival wall-clock ms at which it reached the sessionizer
   * @param linkFrom a device (or original-mode anonymous) id this event links to {@code linkTo}
   * @param linkAnon true when the link came from original-mode {@code $anon_id}
   * @param keyHi the first 64 of the 128 bits of its {@link DedupKey} (event, distinct_id, time
   *     and $insert_id: Mixpanel's de-duplication key); 0 with {@code keyLo} 0 without $insert_id
   * @param keyLo the last 64 bits of its {@link DedupKey}
   * @param value the session id property's value (property mode), or null when absent
   * @param props the associated properties, indexed as {@link SessionRules#associated()}; null if
   *     none
   */
  SessionEvent(long time, long seq, long offset, long arrival, String name, String userId,
      String deviceId, String distinctId, String linkFrom, String linkTo, boolean linkAnon,
      long keyHi, long keyLo, JsonNode value, JsonNode[] props) {
    this.time = time;
    this.seq = seq;
    this.offset = offset;
    this.arrival = arrival;
    this.keyHi = keyHi;
    this.keyLo = keyLo;
    this.name = name;
    this.userId = userId;
    this.deviceId = deviceId;
    this.distinctId = distinctId;
    this.link = linkFrom == null && linkTo == null ? null
        : linkFrom != null && linkTo != null && linkFrom.equals(deviceId) && linkTo.equals(userId)
            ? Boolean.valueOf(linkAnon) : new Link(linkFrom, linkTo, linkAnon);
    this.value = value;
    this.props = props;
  }

  long time() {
    return time;
  }

  long seq() {
    return seq;
  }

  long offset() {
    return offset;
  }

  long arrival() {
    return arrival;
  }

  String name() {
    return name;
  }

  String userId() {
    return userId;
  }

  String deviceId() {
    return deviceId;
  }

  String distinctId() {
    return distinctId;
  }

  String linkFrom() {
    return link instanceof Link l ? l.from() : link == null ? null : deviceId;
  }

  String linkTo() {
    return link instanceof Link l ? l.to() : link == null ? null : userId;
  }

  boolean linkAnon() {
    return link instanceof Link l ? l.anon() : link == Boolean.TRUE;
  }

  long keyHi() {
    return keyHi;
  }

  long keyLo() {
    return keyLo;
  }

  JsonNode value() {
    return value;
  }

  JsonNode[] props() {
    return props;
  }

  /** Whether it has a de-duplication key (an {@code $insert_id}). */
  boolean keyed() {
    return keyHi != 0 || keyLo != 0;
  }

  /** Its {@link DedupKey} as text (22 characters), or null without an $insert_id. */
  String dedupKey() {
    return keyed() ? DedupKey.text(keyHi, keyLo) : null;
  }
}

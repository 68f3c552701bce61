package dev.mixrelay.cluster;

import dev.mixrelay.log.KafkaRecords;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.utils.Utils;

/**
 * The keys and headers of the cluster's topics, and the one partition function every producer
 * of a user-keyed topic uses, so a processor can tell which session keys its task owns.
 *
 * <p>A user-keyed record's key is {@code destination + '\0' + sessionKey}, where the session key
 * is what the sessionizer keys sessions by: a user id, {@code $device:}+device id, or a bare
 * distinct_id (original ID merge).
 */
final class Keys {
  /** Header: the source a message came in through (the intake record format's). */
  static final String SOURCE = KafkaRecords.SOURCE;
  /** Header: when intake appended the message (the intake record format's). */
  static final String APPENDED_AT = KafkaRecords.APPENDED_AT;
  static final String APPEND_SEQ = KafkaRecords.APPEND_SEQ;
  /**
   * Header on a user-keyed record: {@code link} for a link-only record, whose value is the
   * linking message's identity event ({@code Translator#identityEvent}) as JSON: placed in the
   * device's sessions, never delivered.
   */
  static final String KIND = "kind";
  static final String KIND_LINK = "link";

  private static final char SEPARATOR = '\0';

  private Keys() {}

  static String userKey(String destination, String sessionKey) {
    return destination + SEPARATOR + sessionKey;
  }

  /** The session key part of a user-keyed record's key. */
  static String sessionKey(String key) {
    int at = key.indexOf(SEPARATOR);
    return at < 0 ? key : key.substring(at + 1);
  }

  /** The destination part of a user-keyed record's key. */
  static String destination(String key) {
    int at = key.indexOf(SEPARATOR);
    return at < 0 ? "" : key.substring(0, at);
  }

  /** The partition of a key among {@code partitions}: Kafka's own murmur2 rule for keyed records. */
  static int partition(String key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  static String text(Headers headers, String name) {
    Header h = headers.lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

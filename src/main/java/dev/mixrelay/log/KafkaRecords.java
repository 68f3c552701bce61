package dev.mixrelay.log;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mixrelay.segment.SegmentJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * The record format of the intake topic, shared by the producer and whoever reads the topic:
 * key = the identity key, value = the normalised message's JSON bytes, headers {@value #SOURCE}
 * (the source name, UTF-8) and {@value #APPENDED_AT} (epoch millis, 8 bytes big-endian).
 */
public final class KafkaRecords {
  /** Header: the name of the source the message came in through, UTF-8. */
  public static final String SOURCE = "source";
  /** Header: when intake accepted the message, epoch milliseconds as 8 bytes big-endian. */
  public static final String APPENDED_AT = "appended-at";
  /**
   * Header: the message's place among those the intake node accepted (8 bytes big-endian), which
   * orders the messages one node accepted in the same millisecond: a batch's in its order.
   */
  public static final String APPEND_SEQ = "append-seq";

  private KafkaRecords() {}

  /** The record for one entry, without a partition or timestamp (the producer picks both). */
  static ProducerRecord<String, byte[]> record(String topic, LogEntry entry,
      long appendedAtMillis, long seq) {
    ProducerRecord<String, byte[]> r =
        new ProducerRecord<>(topic, identityKey(entry), entry.json());
    String source = entry.source() == null ? "-" : entry.source();
    r.headers().add(SOURCE, source.getBytes(StandardCharsets.UTF_8));
    r.headers().add(APPENDED_AT, ByteBuffer.allocate(Long.BYTES).putLong(appendedAtMillis).array());
    r.headers().add(APPEND_SEQ, ByteBuffer.allocate(Long.BYTES).putLong(seq).array());
    return r;
  }

  /**
   * The key that keeps one device's or user's messages in one partition, in order: the
   * message's {@code anonymousId} when present and non-empty, else its {@code userId}; null when
   * it has neither (the producer then spreads such messages over the partitions).
   */
  static String identityKey(LogEntry entry) {
    JsonNode message = entry.parsed() != null ? entry.parsed() : parse(entry.json());
    if (message == null) {
      return null;
    }
    String anonymousId = text(message, "anonymousId");
    if (anonymousId != null) {
      return anonymousId;
    }
    return text(message, "userId");
  }

  /** The {@value #APPENDED_AT} header's value, or -1 when the header is missing or malformed. */
  public static long appendedAtMillis(Iterable<Header> headers) {
    return longHeader(headers, APPENDED_AT);
  }

  /** The {@value #APPEND_SEQ} header's value, or -1 when the header is missing or malformed. */
  public static long appendSeq(Iterable<Header> headers) {
    return longHeader(headers, APPEND_SEQ);
  }

  private static long longHeader(Iterable<Header> headers, String name) {
    for (Header h : headers) {
      if (h.key().equals(name) && h.value() != null && h.value().length == Long.BYTES) {
        return ByteBuffer.wrap(h.value()).getLong();
      }
    }
    return -1;
  }

  private static JsonNode parse(byte[] json) {
    try {
      return SegmentJson.MAPPER.readTree(json);
    } catch (IOException e) {
      return null;
    }
  }

  /** The field as text (numbers as their digits), or null when missing, null, a container or "". */
  private static String text(JsonNode message, String field) {
    JsonNode n = message.get(field);
    if (n == null || n.isNull() || n.isContainerNode()) {
      return null;
    }
    String s = n.asText();
    return s.isEmpty() ? null : s;
  }
}

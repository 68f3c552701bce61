package dev.mixrelay.segment;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.Instant;

/**
 * The top-level fields of a normalised message that routing reads ({@code type}, {@code
 * messageId}, {@code timestamp}, {@code userId}, {@code anonymousId}), read from its bytes without
 * building the tree: nested objects are skipped. They equal what {@link SegmentMessage} gives for
 * the same bytes.
 *
 * <p>Contract: {@link #read} returns null whenever it cannot promise that (a field that is not a
 * string or null, a missing or unknown type, no messageId or timestamp, bytes that are not one JSON
 * object); the caller then reads the whole message with {@link SegmentMessage#fromNormalized},
 * which gives the reason.
 */
public record MessageHead(MessageType type, String messageId, long timestampMillis, String userId,
    String anonymousId) {

  /** The head of a message already read whole. */
  public static MessageHead of(SegmentMessage m) {
    return new MessageHead(m.type(), m.messageId(), m.timestampMillis(), m.userId(),
        m.anonymousId());
  }

  /** The head of a normalised message's bytes, or null (see the class contract). */
  public static MessageHead read(byte[] json) {
    String type = null;
    String messageId = null;
    String timestamp = null;
    String userId = null;
    String anonymousId = null;
    try (JsonParser p = SegmentJson.MAPPER.getFactory().createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken v = p.nextToken();
        if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
          if (isHeadField(field)) {
            return null;
          }
          p.skipChildren();
          continue;
        }
        if (!isHeadField(field)) {
          continue;
        }
        if (v != JsonToken.VALUE_STRING && v != JsonToken.VALUE_NULL) {
          return null; // a number or boolean: its text is the tree's to give
        }
        String text = v == JsonToken.VALUE_NULL ? null : p.getText();
        switch (field) {
          case "type" -> type = text;
          case "messageId" -> messageId = text;
          case "timestamp" -> timestamp = text;
          case "userId" -> userId = text;
          default -> anonymousId = text;
        }
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
        return null;
      }
    } catch (IOException e) {
      return null;
    }
    MessageType kind = MessageType.fromWire(type).orElse(null);
    Instant at = Timestamps.parse(timestamp);
    if (kind == null || messageId == null || at == null) {
      return null;
    }
    return new MessageHead(kind, messageId, at.toEpochMilli(), nonEmpty(userId),
        nonEmpty(anonymousId));
  }

  private static boolean isHeadField(String field) {
    return switch (field) {
      case "type", "messageId", "timestamp", "userId", "anonymousId" -> true;
      default -> false;
    };
  }

  private static String nonEmpty(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}

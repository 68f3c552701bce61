package dev.mixrelay.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A validated, normalised Segment message: the raw JSON plus the fields every stage needs.
 *
 * <p>Contract: {@code json} always holds {@code type}, {@code messageId}, {@code timestamp}
 * (ISO-8601 UTC, clock-skew corrected) and {@code receivedAt}; it is never mutated after
 * normalisation — callers that need a changed copy use {@link ObjectNode#deepCopy()}.
 */
public record SegmentMessage(ObjectNode json, MessageType type, String messageId,
    long timestampMillis) {

  /**
   * Rebuilds a message from JSON that {@link MessageNormalizer} produced earlier (read back from
   * the log); throws IllegalArgumentException when the JSON is not such a message.
   */
  public static SegmentMessage fromNormalized(ObjectNode json) {
    MessageType type = MessageType.fromWire(json.path("type").asText(null))
        .orElseThrow(() -> new IllegalArgumentException("type: missing or unknown"));
    String messageId = json.path("messageId").asText(null);
    var ts = Timestamps.parse(json.path("timestamp").asText(null));
    if (messageId == null || ts == null) {
      throw new IllegalArgumentException("messageId or timestamp: missing in a normalised message");
    }
    return new SegmentMessage(json, type, messageId, ts.toEpochMilli());
  }

  /** The text of a top-level field, or null when absent, null or not a scalar. */
  public String text(String field) {
    JsonNode n = json.get(field);
    return n == null || n.isNull() || n.isContainerNode() ? null : n.asText();
  }

  public String userId() {
    return nonEmpty(text("userId"));
  }

  public String anonymousId() {
    return nonEmpty(text("anonymousId"));
  }

  public String previousId() {
    return nonEmpty(text("previousId"));
  }

  public String event() {
    return text("event");
  }

  /** A top-level object field ({@code context}, {@code properties}, {@code traits}, ...), or null. */
  public ObjectNode object(String field) {
    JsonNode n = json.get(field);
    return n instanceof ObjectNode o ? o : null;
  }

  private static String nonEmpty(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}

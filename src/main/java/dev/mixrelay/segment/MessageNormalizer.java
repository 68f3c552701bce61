package dev.mixrelay.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Validates one raw Segment message and normalises it: the implied type from the path, batch
 * context and integrations merged under the message's own, a generated {@code messageId} when
 * missing, and the time. A message sent straight by a library has its timestamp corrected for
 * client clock skew ({@code receivedAt - (sentAt - originalTimestamp)}) and gets the relay's
 * {@code receivedAt}; a message that already carries {@code receivedAt} was processed by Segment
 * (a webhook delivery, an archive line), so its timestamp is kept as Segment corrected it. What
 * Mixpanel would refuse for any destination (a time before 1973 or over an hour ahead, a
 * placeholder userId, an alias of an id to itself) is refused here, so the sender is told.
 */
public final class MessageNormalizer {
  /** Segment's limit on {@code messageId}. */
  public static final int MAX_MESSAGE_ID_CHARS = 100;

  private final Supplier<String> messageIds;

  public MessageNormalizer(Supplier<String> messageIds) {
    this.messageIds = messageIds;
  }

  /** A normaliser that fills missing message ids with random UUIDs. */
  public static MessageNormalizer withRandomIds() {
    return new MessageNormalizer(() -> UUID.randomUUID().toString());
  }

  /**
   * Validates and normalises {@code raw} (which is copied, never changed).
   *
   * @param impliedType the type named by the path ({@code /v1/track}), or null for batches
   * @param batch the enclosing batch body (for {@code context}, {@code integrations},
   *     {@code sentAt}), or null
   * @param receivedAt when the request arrived
   */
  public Validation normalize(JsonNode raw, MessageType impliedType, ObjectNode batch,
      Instant receivedAt) {
    if (!(raw instanceof ObjectNode in)) {
      return new Validation.Invalid("message", "must be a JSON object");
    }
    return normalizeOwned(in.deepCopy(), impliedType, batch, receivedAt);
  }

  /**
   * As {@link #normalize}, but changes {@code msg} in place: for callers that parsed it themselves
   * and hand it over (the intake), saving a copy per message.
   */
  public Validation normalizeOwned(ObjectNode msg, MessageType impliedType, ObjectNode batch,
      Instant receivedAt) {
    MessageType type;
    JsonNode typeNode = msg.get("type");
    if (typeNode != null && !typeNode.isNull()) {
      var parsed = MessageType.fromWire(typeNode.asText());
      if (parsed.isEmpty()) {
        return new Validation.Invalid("type", "unknown type '" + clip(typeNode.asText())
            + "' (expected track, page, screen, identify, group or alias)");
      }
      if (impliedType != null && parsed.get() != impliedType) {
        return new Validation.Invalid("type", "is '" + parsed.get().wireName()
            + "' but the endpoint is /v1/" + impliedType.wireName());
      }
      type = parsed.get();
    } else if (impliedType != null) {
      type = impliedType;
    } else {
      return new Validation.Invalid("type", "is required in a batch item");
    }
    msg.put("type", type.wireName());

    if (batch != null) {
      mergeUnder(msg, "context", batch.get("context"));
      mergeUnder(msg, "integrations", batch.get("integrations"));
    }
    Validation.Invalid bad = checkFields(msg, type);
    if (bad != null) {
      return bad;
    }

    String messageId = text(msg, "messageId");
    if (messageId == null || messageId.isEmpty()) {
      messageId = messageIds.get();
      msg.put("messageId", messageId);
    } else if (messageId.length() > MAX_MESSAGE_ID_CHARS) {
      return new Validation.Invalid("messageId", "is longer than " + MAX_MESSAGE_ID_CHARS
          + " characters");
    }

    String processedText = text(msg, "receivedAt");
    Instant processed = null;
    if (processedText != null) {
      processed = Timestamps.parse(processedText);
      if (processed == null) {
        return new Validation.Invalid("receivedAt", "is not an ISO-8601 date-time: '"
            + clip(processedText) + "'");
      }
    }
    JsonNode tsNode = msg.get("timestamp");
    Instant original = processed != null ? processed : receivedAt;
    if (tsNode != null && !tsNode.isNull()) {
      original = tsNode.isNumber() ? Timestamps.fromEpochNumber(tsNode.doubleValue())
          : tsNode.isTextual() ? Timestamps.parse(tsNode.asText()) : null;
      if (original == null) {
        return new Validation.Invalid("timestamp", "is not an ISO-8601 date-time: '"
            + clip(tsNode.isTextual() ? tsNode.asText() : tsNode.toString()) + "'");
      }
    }
    Instant corrected = original;
    if (processed != null) {
      // Segment processed it (a webhook delivery, an archive line): its timestamp is corrected
      if (!msg.hasNonNull("originalTimestamp")) {
        msg.put("originalTimestamp", Timestamps.format(original));
      }
    } else {
      String sentText = text(msg, "sentAt");
      if (sentText == null && batch != null) {
        sentText = text(batch, "sentAt");
      }
      if (sentText != null && (tsNode == null || tsNode.isNull())) {
        // no time of its own: the arrival is its time, and there is no skew to correct
        Instant sentAt = Timestamps.parse(sentText);
        if (sentAt != null) {
          msg.put("sentAt", Timestamps.format(sentAt));
        }
      } else if (sentText != null) {
        Instant sentAt = Timestamps.parse(sentText);
        if (sentAt == null) {
          return new Validation.Invalid("sentAt", "is not an ISO-8601 date-time: '"
              + clip(sentText) + "'");
        }
        corrected = receivedAt.minusMillis(sentAt.toEpochMilli() - original.toEpochMilli());
        if (!Timestamps.inRange(corrected)) {
          return new Validation.Invalid("sentAt", "corrects the timestamp to a time outside the"
              + " years 0001 to 9999");
        }
        msg.put("sentAt", Timestamps.format(sentAt));
      }
      msg.put("originalTimestamp", Timestamps.format(original));
      processed = receivedAt;
    }
    String refused = EventTime.refusal(corrected.toEpochMilli(), processed.toEpochMilli());
    if (refused != null) {
      return new Validation.Invalid("timestamp", refused);
    }
    msg.put("timestamp", Timestamps.format(corrected));
    msg.put("receivedAt", Timestamps.format(processed));
    return new Validation.Valid(new SegmentMessage(msg, type, messageId, corrected.toEpochMilli()));
  }

  private static Validation.Invalid checkFields(ObjectNode msg, MessageType type) {
    for (String f : new String[] {"userId", "anonymousId", "previousId", "event", "groupId"}) {
      JsonNode n = msg.get(f);
      if (n != null && !n.isNull() && !n.isTextual() && !n.isNumber()) {
        return new Validation.Invalid(f, "must be a string");
      }
    }
    for (String f : new String[] {"properties", "traits", "context", "integrations"}) {
      JsonNode n = msg.get(f);
      if (n != null && !n.isNull() && !n.isObject()) {
        return new Validation.Invalid(f, "must be an object");
      }
    }
    String userId = text(msg, "userId");
    String anonymousId = text(msg, "anonymousId");
    boolean hasUser = userId != null && !userId.isEmpty();
    boolean hasAnon = anonymousId != null && !anonymousId.isEmpty();
    switch (type) {
      case ALIAS -> {
        String previousId = text(msg, "previousId");
        if (previousId == null || previousId.isEmpty()) {
          return new Validation.Invalid("previousId", "is required for alias");
        }
        if (!hasUser) {
          return new Validation.Invalid("userId", "is required for alias");
        }
        if (previousId.equals(userId)) {
          return new Validation.Invalid("previousId",
              "equals userId; an alias links two different ids");
        }
      }
      case TRACK -> {
        String event = text(msg, "event");
        if (event == null || event.isBlank()) {
          return new Validation.Invalid("event", "is required for track");
        }
      }
      case GROUP -> {
        String groupId = text(msg, "groupId");
        if (groupId == null || groupId.isEmpty()) {
          return new Validation.Invalid("groupId", "is required for group");
        }
      }
      default -> {
        // page, screen and identify need only an identity
      }
    }
    if (Placeholders.is(userId)) {
      return new Validation.Invalid("userId", Placeholders.reason(userId));
    }
    if (type != MessageType.ALIAS && !hasUser && !hasAnon) {
      return new Validation.Invalid("userId", "either userId or anonymousId is required");
    }
    return null;
  }

  /** Copies the batch-level object's keys into the message's object where the message has none. */
  private static void mergeUnder(ObjectNode msg, String field, JsonNode batchValue) {
    if (!(batchValue instanceof ObjectNode batchObj) || batchObj.isEmpty()) {
      return;
    }
    JsonNode own = msg.get(field);
    if (own == null || own.isNull()) {
      msg.set(field, batchObj.deepCopy());
      return;
    }
    if (own instanceof ObjectNode ownObj) {
      Iterator<Map.Entry<String, JsonNode>> it = batchObj.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!ownObj.has(e.getKey())) {
          ownObj.set(e.getKey(), e.getValue().deepCopy());
        }
      }
    }
  }

  private static String text(ObjectNode o, String field) {
    JsonNode n = o.get(field);
    return n == null || n.isNull() || n.isContainerNode() ? null : n.asText();
  }

  private static String clip(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "..." : s;
  }
}

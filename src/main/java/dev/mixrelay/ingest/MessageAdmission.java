package dev.mixrelay.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.config.MixpanelSettings;
import dev.mixrelay.config.RelayConfig;
import dev.mixrelay.config.ServerConfig;
import dev.mixrelay.config.SourceConfig;
import dev.mixrelay.log.LogEntry;
import dev.mixrelay.segment.MessageNormalizer;
import dev.mixrelay.segment.MessageType;
import dev.mixrelay.segment.Placeholders;
import dev.mixrelay.segment.SegmentJson;
import dev.mixrelay.segment.Validation;
import java.io.IOException;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * Decides whether one Segment message goes into the intake log, by intake's rules: validated and
 * normalised by {@link MessageNormalizer}, serialised once for the log, refused when its normalised
 * form passes {@code server.maxMessageBytes}. The HTTP routes and the import command both admit
 * through here, so they accept, refuse and name refusals alike. Thread-safe.
 */
public final class MessageAdmission {
  /** What normalisation adds to a message at most: messageId, timestamp, originalTimestamp, ... */
  private static final int NORMALISED_OVERHEAD_BYTES = 256;
  /** One JSON value and nothing after it: a file line holding two messages is malformed. */
  private static final ObjectReader ONE_VALUE = SegmentJson.MAPPER.reader()
      .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** The decision on one message: a closed set. */
  public sealed interface Outcome {}

  /** Admitted: the entry to append (with its parsed tree) and the message's type. */
  public record Accepted(LogEntry entry, MessageType type) implements Outcome {}

  /**
   * Refused: {@code error} as a response names it ("event: is required for track"), {@code code}
   * the bounded reason telemetry counts it under ("invalid_event").
   */
  public record Rejected(String error, String code) implements Outcome {

    /**
     * The error without a quoted value from the message, so equal problems count together (the
     * import and the demo count their rejections by it).
     */
    public static String reason(String error) {
      int quote = error.indexOf('\'');
      String kept = quote < 0 ? error : error.substring(0, quote).trim();
      return kept.endsWith(":") ? kept.substring(0, kept.length() - 1) : kept;
    }
  }

  private final int maxMessageBytes;
  private final MessageNormalizer normalizer = MessageNormalizer.withRandomIds();
  /** The sources that feed a destination in original identity mode (anonymousId as distinct_id). */
  private final Set<String> originalIdSources = new HashSet<>();

  /** Intake's rules for any source: no destination's settings are consulted. */
  public MessageAdmission(ServerConfig server) {
    this.maxMessageBytes = server.maxMessageBytes();
  }

  /**
   * Intake's rules plus what the source's destinations' settings let intake know: in
   * {@code identityMerge: original} an anonymousId or previousId becomes a distinct_id, so a
   * placeholder there is refused.
   */
  public MessageAdmission(RelayConfig config) {
    this(config.server());
    for (SourceConfig s : config.sources()) {
      for (String name : s.destinationNames()) {
        DestinationConfig d = config.destinations().get(name);
        if (d != null && d.settings().identityMerge() == MixpanelSettings.IdentityMerge.original) {
          originalIdSources.add(s.name());
        }
      }
    }
  }

  /**
   * Judges a message of a batch, already parsed (an object is handed over and normalised in place).
   *
   * @param impliedType the type named by the path, or null when the message must name it
   * @param batch the enclosing batch body, or null
   * @param checkSize whether to refuse a normalised form over the limit (a single-message request
   *     was size-checked on its body instead)
   */
  public Outcome admit(JsonNode item, MessageType impliedType, ObjectNode batch, Instant receivedAt,
      String source, boolean checkSize) {
    Validation v = item instanceof ObjectNode owned
        ? normalizer.normalizeOwned(owned, impliedType, batch, receivedAt)
        : normalizer.normalize(item, impliedType, batch, receivedAt);
    if (v instanceof Validation.Invalid bad) {
      return new Rejected(bad.describe(), "invalid_" + bad.field());
    }
    var message = ((Validation.Valid) v).message();
    if (originalIdSources.contains(source)) {
      for (String field : new String[] {"anonymousId", "previousId"}) {
        String id = message.text(field);
        if (Placeholders.is(id) && (field.equals("previousId") || message.userId() == null)) {
          return new Rejected(field + ": " + Placeholders.reason(id), "invalid_" + field);
        }
      }
    }
    byte[] json;
    try {
      json = SegmentJson.MAPPER.writeValueAsBytes(message.json());
    } catch (JsonProcessingException e) {
      return new Rejected("message: cannot be serialised", "invalid_message");
    }
    if (checkSize && json.length > maxMessageBytes + NORMALISED_OVERHEAD_BYTES) {
      return tooLarge();
    }
    return new Accepted(new LogEntry(source, json, message.json(), message.text("messageId")),
        message.type());
  }

  /**
   * Judges one serialised message on its own, as the import command reads them from a file: no
   * larger than {@code server.maxMessageBytes} (as a single-message request), parsed with intake's
   * limits, then judged as a batch item (it must name its type; no batch context).
   */
  public Outcome admit(byte[] json, String source, Instant receivedAt) {
    if (json.length > maxMessageBytes) {
      return tooLarge();
    }
    JsonNode tree;
    try {
      tree = ONE_VALUE.readTree(json);
    } catch (StreamConstraintsException e) {
      return new Rejected("message: is nested deeper than " + SegmentJson.MAX_NESTING_DEPTH
          + " levels or has an oversized value", "invalid_json");
    } catch (IOException e) {
      return new Rejected("message: malformed JSON", "invalid_json");
    }
    if (tree == null || tree.isMissingNode()) {
      return new Rejected("message: malformed JSON", "invalid_json");
    }
    return admit(tree, null, null, receivedAt, source, true);
  }

  private Rejected tooLarge() {
    return new Rejected("message: is larger than " + maxMessageBytes + " bytes",
        "message_too_large");
  }
}

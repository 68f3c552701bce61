package dev.mixrelay.translate;

import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.segment.EventTime;
import dev.mixrelay.segment.SegmentMessage;
import dev.mixrelay.segment.Timestamps;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Translates one normalised Segment message into the Mixpanel records Segment's Mixpanel
 * destination would send, under one destination's settings. Pure: no I/O, no clock; the same
 * inputs always give the same records (and the same {@code $insert_id}s). Thread-safe.
 */
public final class Translator {
  /** Loads the user-agent patterns (about a second) now rather than on the first message. */
  public Translator() {
    UserAgents.parse(null);
  }

  /**
   * Translates {@code message} (never changed) for {@code destination}, reading the user's
   * remembered super properties from {@code profiles} (may be {@link ProfileView#EMPTY}).
   */
  public Translation translate(SegmentMessage message, DestinationConfig destination,
      ProfileView profiles) {
    Translation refused = refusal(message);
    if (refused != null) {
      return refused;
    }
    Call call = new Call(message, destination);
    Translation.Invalid placeholder = placeholder(call);
    if (placeholder != null) {
      return placeholder;
    }
    ProfileView view = profiles == null ? ProfileView.EMPTY : profiles;
    Translation t;
    switch (message.type()) {
      case TRACK -> t = Events.track(call, view);
      case PAGE -> t = Events.page(call, view, false);
      case SCREEN -> t = Events.page(call, view, true);
      case IDENTIFY -> t = Identify.translate(call);
      case GROUP -> t = Groups.translate(call, view);
      case ALIAS -> t = IdentityEvents.alias(call);
      default -> throw new IllegalArgumentException("unknown message type " + message.type());
    }
    return t instanceof Translation.Translated translated ? Limits.apply(translated) : t;
  }

  /** Why the message makes no records at all (skipped or invalid before any mapping), or null. */
  private static Translation refusal(SegmentMessage message) {
    if (!Integrations.mixpanelEnabled(message.object("integrations"))) {
      return new Translation.Skipped(Translation.Skipped.INTEGRATIONS_OFF);
    }
    Instant received = Timestamps.parse(message.text("receivedAt"));
    String late = EventTime.refusal(message.timestampMillis(),
        received == null ? Long.MAX_VALUE - EventTime.MAX_AHEAD_MILLIS : received.toEpochMilli());
    if (late != null) {
      return new Translation.Invalid("timestamp", late);
    }
    return null;
  }

  /**
   * The identity part of the events {@link #translate} makes of {@code message}: an {@code
   * $identify} event at the message's time carrying the ids exactly as those events carry them
   * ({@code distinct_id}, and {@code $device_id}/{@code $user_id} or {@code $anon_id}/{@code
   * $identified_id}), with {@code $insert_id} {@code "link:" + messageId}. Null when the message
   * makes no event that links a device to a user (a group call, an original-mode track, a
   * message translation refuses). Cheap: no properties are mapped. What a record's ids link is
   * read by one rule, {@code Sessionizer.linkOf}; this lets the Kafka engine's identity stage
   * apply that rule before translation.
   */
  public MixpanelRecord identityEvent(SegmentMessage message, DestinationConfig destination) {
    if (refusal(message) != null) {
      return null;
    }
    Call call = new Call(message, destination);
    if (placeholder(call) != null) {
      return null;
    }
    List<MixpanelRecord> records = new ArrayList<>(1);
    switch (message.type()) {
      case TRACK, PAGE, SCREEN -> {
        if (call.ids.simplified()) {
          records.add(call.event(IdentityEvents.IDENTIFY, Call.newProperties()));
        }
      }
      case IDENTIFY -> IdentityEvents.onIdentify(call, records);
      case ALIAS -> {
        if (!message.previousId().equals(message.userId())) {
          records.addAll(((Translation.Translated) IdentityEvents.alias(call)).records());
        }
      }
      default -> { }
    }
    if (records.isEmpty()) {
      return null;
    }
    MixpanelRecord made = records.get(0);
    ObjectNode p = made.properties();
    p.put("$insert_id", "link:" + message.messageId());
    ObjectNode body = Call.JSON.objectNode();
    body.put("event", IdentityEvents.IDENTIFY);
    body.set("properties", p);
    return new MixpanelRecord(Endpoint.IMPORT, body);
  }

  /** A userId, anonymousId or previousId that would become a distinct_id Mixpanel rejects. */
  private static Translation.Invalid placeholder(Call call) {
    String field = call.ids.placeholderField();
    if (field == null && !call.ids.simplified() && Ids.isPlaceholder(call.message.previousId())) {
      field = "previousId";
    }
    if (field == null) {
      return null;
    }
    return new Translation.Invalid(field, "is '" + call.message.text(field)
        + "', a placeholder Mixpanel rejects as a distinct_id");
  }
}

package dev.mixrelay.translate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.MixpanelSettings.IdentityMerge;
import dev.mixrelay.segment.Placeholders;
import dev.mixrelay.segment.SegmentMessage;

/**
 * Who a message is about, in Mixpanel's terms. {@code simplified}: distinct_id = userId, else
 * {@code $device:}+anonymousId, with {@code $device_id}/{@code $user_id} on events;
 * {@code original}: distinct_id = userId, else anonymousId.
 */
record Ids(String distinctId, String userId, String anonymousId, boolean simplified) {

  /** The {@code $device:} prefix Simplified ID Merge gives anonymous distinct ids. */
  static final String DEVICE_PREFIX = "$device:";

  static Ids of(SegmentMessage message, IdentityMerge mode) {
    String userId = message.userId();
    String anonymousId = message.anonymousId();
    boolean simplified = mode == IdentityMerge.simplified;
    String distinctId;
    if (userId != null) {
      distinctId = userId;
    } else if (anonymousId != null) {
      distinctId = simplified ? DEVICE_PREFIX + anonymousId : anonymousId;
    } else {
      distinctId = null;
    }
    return new Ids(distinctId, userId, anonymousId, simplified);
  }

  /** The field whose value would make a distinct_id Mixpanel rejects, or null when it is fine. */
  String placeholderField() {
    if (Placeholders.is(userId)) {
      return "userId";
    }
    if (userId == null && !simplified && isPlaceholder(anonymousId)) {
      return "anonymousId";
    }
    return null;
  }

  static boolean isPlaceholder(String id) {
    return Placeholders.is(id);
  }

  /** The key the relay remembers a user's super properties under: userId, else the device key. */
  String userKey() {
    return userId != null ? userId : deviceKey();
  }

  /** {@code $device:}+anonymousId, or null without an anonymousId. */
  String deviceKey() {
    return anonymousId == null ? null : DEVICE_PREFIX + anonymousId;
  }

  /** Puts distinct_id and, in simplified mode, {@code $device_id} and {@code $user_id}. */
  void putEventIds(ObjectNode properties) {
    properties.put("distinct_id", distinctId);
    if (simplified) {
      if (anonymousId != null) {
        properties.put("$device_id", anonymousId);
      }
      if (userId != null) {
        properties.put("$user_id", userId);
      }
    }
  }
}

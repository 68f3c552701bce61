package dev.mixrelay.translate;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Super properties to merge into what the relay remembers for a user key. */
public record ProfileUpdate(String userKey, ObjectNode superProperties) {
  /** No change. */
  public static final ProfileUpdate NONE = new ProfileUpdate(null, null);

  public boolean isEmpty() {
    return userKey == null || superProperties == null || superProperties.isEmpty();
  }
}

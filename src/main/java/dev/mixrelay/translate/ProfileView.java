package dev.mixrelay.translate;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** What the relay remembers about a user that translation reads: the user's super properties. */
@FunctionalInterface
public interface ProfileView {
  /** Nothing remembered. */
  ProfileView EMPTY = userKey -> null;

  /**
   * The super properties remembered for a user key (userId when known, else
   * {@code $device:}+anonymousId), or null. The caller must not change the returned object.
   */
  ObjectNode superProperties(String userKey);
}

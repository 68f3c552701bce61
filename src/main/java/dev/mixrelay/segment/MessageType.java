package dev.mixrelay.segment;

import java.util.Locale;
import java.util.Optional;

/** The Segment spec call types mixrelay accepts. */
public enum MessageType {
  TRACK, PAGE, SCREEN, IDENTIFY, GROUP, ALIAS;

  /** The lower-case name Segment uses on the wire ({@code "track"}, ...). */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a wire name; empty for anything that is not one of the six spec calls. */
  public static Optional<MessageType> fromWire(String name) {
    if (name == null) {
      return Optional.empty();
    }
    for (MessageType t : values()) {
      if (t.wireName().equals(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}

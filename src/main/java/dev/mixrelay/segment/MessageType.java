package dev.mixrelay.segment;

import java.util.Locale;
import java.util.Optional;

/** The Segment spec call types mixrelay accepts. */
public enum MessageType {
  TRACK, PAGE, SCREEN, IDENTIFY, GROUP, ALIAS;

  private static final MessageType[] ALL = values();
  private final String wireName = name().toLowerCase(Locale.ROOT);

  /** The lower-case name Segment uses on the wire ({@code "track"}, ...). */
  public String wireName() {
    return wireName;
  }

  /** Parses a wire name; empty for anything that is not one of the six spec calls. */
  public static Optional<MessageType> fromWire(String name) {
    if (name == null) {
      return Optional.empty();
    }
    for (MessageType t : ALL) {
      if (t.wireName.equals(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}

package dev.mixrelay.log;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A message read back from the log, with its offset (strictly increasing) and append time; {@code
 * parsed} is the appended tree when the message came from memory rather than disk (else null), and
 * its reader may use it instead of parsing {@code json}.
 */
public record StoredMessage(long offset, String source, byte[] json, long appendedAtMillis,
    JsonNode parsed) {

  public StoredMessage(long offset, String source, byte[] json, long appendedAtMillis) {
    this(offset, source, json, appendedAtMillis, null);
  }
}

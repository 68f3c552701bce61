package dev.mixrelay.log;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One normalised Segment message to append: the source name it came from, its JSON bytes, and
 * optionally the same message as a tree, which the log hands to a reader that keeps up instead of
 * reading and parsing the bytes again (the tree must not be changed after the append). {@code
 * messageId}, when given, is checked against the log's de-duplication window: an entry whose
 * {@code (source, messageId)} was appended within the window is not appended again.
 */
public record LogEntry(String source, byte[] json, JsonNode parsed, String messageId) {

  public LogEntry(String source, byte[] json, JsonNode parsed) {
    this(source, json, parsed, null);
  }

  public LogEntry(String source, byte[] json) {
    this(source, json, null, null);
  }
}

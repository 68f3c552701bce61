package dev.mixrelay.log;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One normalised Segment message to append: the source name it came from, its JSON bytes, and
 * optionally the same message as a tree, which the log hands to a reader that keeps up instead of
 * reading and parsing the bytes again (the tree must not be changed after the append).
 */
public record LogEntry(String source, byte[] json, JsonNode parsed) {

  public LogEntry(String source, byte[] json) {
    this(source, json, null);
  }
}

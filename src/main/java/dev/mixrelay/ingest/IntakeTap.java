package dev.mixrelay.ingest;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A look at the messages intake refuses, for the live debugger. Intake calls {@link #refused}
 * only while {@link #active()} holds, on the event loop: implementations return at once.
 */
public interface IntakeTap {
  IntakeTap NONE = new IntakeTap() {
    @Override
    public boolean active() {
      return false;
    }

    @Override
    public void refused(String source, JsonNode message, String error) {}
  };

  /** Whether anyone is watching; a volatile read at most. */
  boolean active();

  /**
   * One message of an authenticated source that intake refused, as the sender wrote it (a copy
   * the tap may keep), and the error the sender was answered with.
   */
  void refused(String source, JsonNode message, String error);

  /**
   * A message answered as accepted but not appended again: a repeat of a messageId within the
   * de-duplication window ({@code message}: its normalised form, not to be changed).
   */
  default void duplicate(String source, JsonNode message) {}
}

package dev.mixrelay.stage;

/** Telemetry of the message stage; {@code ops} implements it. Called on the stage's thread. */
public interface StageListener {
  StageListener NONE = new StageListener() {};

  default void translated(String destination, String type, int records, long nanos) {}

  default void skipped(String destination, String reason) {}

  /** {@code reason}: {@code untranslatable} (a message) or {@code never_accepted} (records). */
  default void deadLettered(String destination, String reason, int records) {}

  default void truncated(String destination, int values) {}

  /**
   * A message is finished (delivered, skipped or dead-lettered), {@code millisSinceAppend} after
   * intake appended it; called by the engines, which know when.
   */
  default void finished(String destination, long millisSinceAppend) {}
}

package dev.mixrelay.ingest;

/** Telemetry of the intake; {@code ops} implements it with metrics. Labels are bounded values. */
public interface IntakeListener {
  IntakeListener NOOP = new IntakeListener() {};

  /** A message was accepted into the log. */
  default void accepted(String source, String type) {}

  /**
   * A message was answered as accepted but not appended: its {@code (source, messageId)} was
   * appended within the de-duplication window.
   */
  default void duplicate(String source, String type) {}

  /** A message or request was refused; {@code reason} is a stable code, never user data. */
  default void rejected(String source, String reason) {}

  /** Back-pressure started (true) or ended (false). */
  default void backPressure(boolean on) {}
}

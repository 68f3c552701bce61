package dev.mixrelay.app;

/** Telemetry of the pipeline between log and delivery; {@code ops} implements it. */
interface PipelineListener {
  PipelineListener NOOP = new PipelineListener() {};

  default void translated(String destination, String type, int records, long nanos) {}

  default void skipped(String destination, String reason) {}

  default void deadLettered(String destination, String reason, int records) {}

  default void truncated(String destination, int values) {}

  default void finished(String destination, long millisSinceAppend) {}
}

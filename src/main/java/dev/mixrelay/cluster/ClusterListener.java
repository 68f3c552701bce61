package dev.mixrelay.cluster;

/** Telemetry of the cluster's processors (implemented over the relay's metrics by the wiring). */
interface ClusterListener {
  ClusterListener NONE = new ClusterListener() {};

  /** A message or record went to the dead-letter topic for {@code reason}. */
  default void deadLettered(String destination, String reason) {}

  /** A link-only copy went to the task owning a device's session key. */
  default void handoffRequested(String destination) {}

  /** A commit waited this long for delivery of what it covers. */
  default void commitWaited(long millis) {}
}

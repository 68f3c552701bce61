package dev.mixrelay.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.ArrayList;
import java.util.List;

/**
 * One sender: its write key, the destination or destinations its messages go to (as a Segment
 * source feeds every destination connected to it), and the optional webhook secret.
 * {@code destination: a} and {@code destinations: [a, b]} may both be given; the names are
 * joined, each once. {@code dedup.window}, when given, is this source's messageId window instead
 * of the top-level {@code dedup.window}. {@link #toString()} never shows the write key or the
 * secret.
 */
public record SourceConfig(String name, String writeKey, String destination,
    List<String> destinations, String webhookSecret, Double maxRequestsPerSecond,
    Long maxBytesPerSecond, Dedup dedup) {

  /** A source's own messageId window; {@code window: 0s} turns the check off for the source. */
  public record Dedup(java.time.Duration window) {}

  public SourceConfig {
    destinations = destinations == null ? List.of()
        : java.util.Collections.unmodifiableList(new ArrayList<>(destinations));
    if ((destination == null || destination.isBlank()) && !destinations.isEmpty()) {
      destination = destinations.get(0); // readers of the single form see the first
    }
  }

  /** The same source under another name. */
  public SourceConfig withName(String newName) {
    return new SourceConfig(newName, writeKey, destination, destinations, webhookSecret,
        maxRequestsPerSecond, maxBytesPerSecond, dedup);
  }

  /** This source's messageId window: its own {@code dedup.window}, else {@code fallback}. */
  public java.time.Duration dedupWindow(java.time.Duration fallback) {
    return dedup == null || dedup.window() == null ? fallback : dedup.window();
  }

  /**
   * Every destination this source feeds, in order, each once: {@code destination} first, then
   * {@code destinations}.
   */
  @JsonIgnore
  public List<String> destinationNames() {
    List<String> names = new ArrayList<>();
    if (destination != null && !destination.isBlank()) {
      names.add(destination);
    }
    for (String d : destinations) {
      if (d != null && !names.contains(d)) {
        names.add(d);
      }
    }
    return List.copyOf(names);
  }

  void check(String path, Checks c) {
    c.require(writeKey != null && !writeKey.isBlank(), path + ".writeKey", "is required", null);
    c.require(!destinationNames().isEmpty(), path + ".destination",
        "is required (or destinations: a list of names)", null);
    for (int i = 0; i < destinations.size(); i++) {
      String d = destinations.get(i);
      c.require(d != null && !d.isBlank(), path + ".destinations[" + i + "]", "must be a name",
          d);
    }
    c.require(maxRequestsPerSecond == null || maxRequestsPerSecond > 0, path + ".maxRequestsPerSecond",
        "must be positive", maxRequestsPerSecond);
    c.require(maxBytesPerSecond == null || maxBytesPerSecond > 0, path + ".maxBytesPerSecond",
        "must be positive", maxBytesPerSecond);
    if (dedup != null && dedup.window() != null) {
      c.between(dedup.window(), java.time.Duration.ZERO, java.time.Duration.ofDays(30),
          path + ".dedup.window");
    }
  }

  @Override
  public String toString() {
    return "SourceConfig[name=" + name + ", writeKey=***, destinations=" + destinationNames()
        + ", webhookSecret=" + (webhookSecret == null ? "none" : "***") + "]";
  }
}

package dev.mixrelay.cluster;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the session tasks of one processor hold, as of their last wall-clock tick: open sessions
 * and events parked for a handoff, per task. Written by the stream threads, read by metrics.
 */
final class TaskGauges {
  private final Map<Integer, long[]> byPartition = new ConcurrentHashMap<>();
  private final Map<Integer, String> handoffs = new ConcurrentHashMap<>();

  void handoffs(int partition, String description) {
    handoffs.put(partition, description);
  }

  void update(int partition, long openSessions, long parkedEvents) {
    byPartition.put(partition, new long[] {openSessions, parkedEvents});
  }

  void remove(int partition) {
    byPartition.remove(partition);
  }

  long openSessions() {
    return byPartition.values().stream().mapToLong(v -> v[0]).sum();
  }

  /** Per task partition: open sessions and parked events, for diagnostics. */
  String describe() {
    StringBuilder sb = new StringBuilder();
    new java.util.TreeMap<>(byPartition).forEach((p, v) -> sb.append(p).append(": open=")
        .append(v[0]).append(" parked=").append(v[1]).append(v[1] > 0 ? " " + handoffs.get(p)
        : "").append("; "));
    return sb.toString();
  }

  long parkedEvents() {
    return byPartition.values().stream().mapToLong(v -> v[1]).sum();
  }
}

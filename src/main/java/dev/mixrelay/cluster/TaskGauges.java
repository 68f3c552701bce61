package dev.mixrelay.cluster;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the session tasks of one processor hold, as of their last wall-clock tick (and of their
 * start): open sessions, events parked for a handoff and records kept for the reorder window, per
 * task. Written by the stream threads, read by metrics.
 */
final class TaskGauges {
  private final Map<Integer, long[]> byPartition = new ConcurrentHashMap<>();
  private final Map<Integer, String> handoffs = new ConcurrentHashMap<>();

  void handoffs(int partition, String description) {
    handoffs.put(partition, description);
  }

  void update(int partition, long openSessions, long parkedEvents, long keptRecords) {
    byPartition.put(partition, new long[] {openSessions, parkedEvents, keptRecords});
  }

  void remove(int partition) {
    byPartition.remove(partition);
  }

  long openSessions() {
    return byPartition.values().stream().mapToLong(v -> v[0]).sum();
  }

  /** Per task partition: open sessions, parked events and kept records, for diagnostics. */
  String describe() {
    StringBuilder sb = new StringBuilder();
    new java.util.TreeMap<>(byPartition).forEach((p, v) -> sb.append(p).append(": open=")
        .append(v[0]).append(" kept=").append(v[2]).append(" parked=").append(v[1])
        .append(v[1] > 0 ? " " + handoffs.get(p) : "").append("; "));
    return sb.toString();
  }

  long parkedEvents() {
    return byPartition.values().stream().mapToLong(v -> v[1]).sum();
  }

  long keptRecords() {
    return byPartition.values().stream().mapToLong(v -> v[2]).sum();
  }

  /** The session tasks this processor runs (those that started and have not closed). */
  int tasks() {
    return byPartition.size();
  }
}

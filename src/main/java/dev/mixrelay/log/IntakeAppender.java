package dev.mixrelay.log;

import io.vertx.core.Future;
import java.util.List;

/**
 * What intake needs of a log: append accepted messages durably, and say when it is full. Both
 * engines' logs implement it (SQLite; the Kafka intake topic). Safe to call from the event loop.
 */
public interface IntakeAppender {

  /**
   * Appends the entries in order and completes with the offset of the last one only once they
   * are durable (fsync'd per {@code storage.fsync}; acknowledged by the brokers).
   */
  Future<Long> append(List<LogEntry> entries);

  /**
   * What an append with the de-duplication window did: the offset of the last entry appended (or
   * the log's last offset when none was), and the indexes of the entries not appended because
   * their {@code (source, messageId)} was appended within the window.
   */
  record AppendOutcome(long lastOffset, java.util.BitSet duplicates) {}

  /**
   * Appends the entries whose {@code (source, messageId)} the log has not appended within its
   * window, atomically with the check (of two concurrent appends of one id exactly one appends
   * it); a log without a window appends them all.
   */
  default Future<AppendOutcome> appendOnce(List<LogEntry> entries) {
    return append(entries).map(last -> new AppendOutcome(last, new java.util.BitSet()));
  }

  /** True while the log cannot take more: intake must refuse with a retry hint. */
  boolean overCapacity();

  /** The backlog, cheap to call (kept in memory). */
  LogStats stats();

  /** Stops taking appends once those in flight are done, then releases the log. */
  Future<Void> close();
}

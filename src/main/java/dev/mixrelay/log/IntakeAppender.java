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

  /** True while the log cannot take more: intake must refuse with a retry hint. */
  boolean overCapacity();

  /** The backlog, cheap to call (kept in memory). */
  LogStats stats();

  /** Stops taking appends once those in flight are done, then releases the log. */
  Future<Void> close();
}

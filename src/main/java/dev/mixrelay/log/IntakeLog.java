package dev.mixrelay.log;

import io.vertx.core.Future;
import java.util.List;

/**
 * The durable intake log: accepted messages in arrival order, an acknowledged offset, stage
 * checkpoints and dead letters. All methods are safe to call from the event loop: blocking work
 * happens on the log's own writer/reader threads.
 */
public interface IntakeLog {

  /**
   * Appends the entries in one transaction (grouped with concurrent appends) and completes with
   * the offset of the last one only once it is durable per {@code storage.fsync}.
   */
  Future<Long> append(List<LogEntry> entries);

  /** Up to {@code max} messages with offsets greater than {@code afterOffset}, in order. */
  Future<List<StoredMessage>> read(long afterOffset, int max);

  /**
   * Records that every message with an offset up to and including {@code offset} is finished.
   * Never moves backwards. Space below the lowest of this and every checkpoint's offset is freed.
   */
  Future<Void> acknowledge(long offset);

  /** The backlog, cheap to call (kept in memory). */
  LogStats stats();

  /** True while unacknowledged data exceeds {@code storage.maxLogBytes}: intake must refuse. */
  boolean overCapacity();

  /** Saves a stage's state with the offset it reflects (replaces the previous one of that name). */
  Future<Void> saveCheckpoint(Checkpoint checkpoint);

  /** The named checkpoint, or null. */
  Future<Checkpoint> loadCheckpoint(String name);

  /** Stores dead letters; completes when durable. */
  Future<Void> addDeadLetters(List<DeadLetterRow> rows);

  /** Dead letters with id greater than {@code afterId}, oldest first, optionally for one destination. */
  Future<List<DeadLetterRow>> listDeadLetters(String destination, long afterId, int max);

  /** Removes the given dead letters (after they were replayed); completes with how many went. */
  Future<Integer> deleteDeadLetters(List<Long> ids);

  /** Waits for in-flight commits, then closes the database. */
  Future<Void> close();
}

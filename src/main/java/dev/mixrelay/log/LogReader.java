package dev.mixrelay.log;

import io.vertx.core.Future;
import java.util.List;

/** What the embedded engine's reader needs of the log: read in order and acknowledge. */
public interface LogReader {

  /** Up to {@code max} messages with offsets greater than {@code afterOffset}, in order. */
  Future<List<StoredMessage>> read(long afterOffset, int max);

  /**
   * Records that every message with an offset up to and including {@code offset} is finished.
   * Never moves backwards. Space below the lowest of this and every checkpoint's offset is freed.
   */
  Future<Void> acknowledge(long offset);

  /** The backlog, cheap to call (kept in memory). */
  LogStats stats();
}

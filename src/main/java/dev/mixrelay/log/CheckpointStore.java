package dev.mixrelay.log;

import io.vertx.core.Future;

/** Stage state saved with the log offset it reflects; the log keeps every message above it. */
public interface CheckpointStore {

  /** Saves a stage's state with the offset it reflects (replaces the previous one of that name). */
  Future<Void> saveCheckpoint(Checkpoint checkpoint);

  /** The named checkpoint, or null. */
  Future<Checkpoint> loadCheckpoint(String name);
}

package dev.mixrelay.log;

import io.vertx.core.Future;

/** Stage state saved with the log offset it reflects; the log keeps every message above it. */
public interface CheckpointStore {

  /** Saves a stage's state with the offset it reflects (replaces the previous one of that name). */
  Future<Void> saveCheckpoint(Checkpoint checkpoint);

  /** The named checkpoint, or null. */
  Future<Checkpoint> loadCheckpoint(String name);

  /**
   * Makes the checkpoint saved as {@code from} the one named {@code to} (replacing it) in one
   * step; completes with false, changing nothing, when there is no {@code from}. A large state is
   * saved under a staging name as soon as it is taken, and promoted once what it reflects is
   * finished, so that it is not held in memory meanwhile.
   */
  Future<Boolean> renameCheckpoint(String from, String to);
}

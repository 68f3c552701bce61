package dev.mixrelay.config;

import java.time.Duration;

/** Where the durable intake log lives and how it syncs. */
public record StorageConfig(String dir, FsyncMode fsync, Long maxLogBytes, Duration maxCommitDelay) {

  /** When the log forces its writes to disk. */
  public enum FsyncMode {
    /** Every group commit is fsync'd before any of its requests is answered (SQLite synchronous=FULL). */
    batch,
    /** Same as batch; kept as the explicit name for "never answer before the disk has it". */
    always,
    /** The OS decides (SQLite synchronous=NORMAL in WAL): survives a process crash, not a power loss. */
    off
  }

  public StorageConfig {
    dir = dir == null ? "./data" : dir;
    fsync = fsync == null ? FsyncMode.batch : fsync;
    maxLogBytes = maxLogBytes == null ? 1L << 30 : maxLogBytes;
    maxCommitDelay = maxCommitDelay == null ? Duration.ofMillis(2) : maxCommitDelay;
  }

  static StorageConfig defaults() {
    return new StorageConfig(null, null, null, null);
  }

  void check(String path, Checks c) {
    c.require(!dir.isBlank(), path + ".dir", "must not be empty", null);
    c.range(maxLogBytes, 1024 * 1024, Long.MAX_VALUE, path + ".maxLogBytes");
    c.between(maxCommitDelay, Duration.ZERO, Duration.ofSeconds(1), path + ".maxCommitDelay");
  }
}

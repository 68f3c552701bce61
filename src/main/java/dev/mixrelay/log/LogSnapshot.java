package dev.mixrelay.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sqlite.SQLiteConfig;

/**
 * A read-only look at the SQLite intake log of {@code storage.dir}, for commands that run beside
 * a relay: it opens {@code mixrelay.db} read-only without the relay's lock, and a WAL reader never
 * blocks the writer, so a running relay is not disturbed (nor it by the relay).
 */
public final class LogSnapshot implements AutoCloseable {
  private final Path dir;
  private final Connection conn;

  /** What the log holds now. */
  public record Status(long backlogMessages, long backlogBytes, long oldestAppendedAtMillis,
      long ackedOffset, long lastOffset, Map<String, Long> deadLettersByDestination,
      Map<String, Long> checkpointOffsets) {}

  private LogSnapshot(Path dir, Connection conn) {
    this.dir = dir;
    this.conn = conn;
  }

  /** Opens the log of {@code dir} read-only; fails in one sentence when there is none. */
  public static LogSnapshot open(Path dir) {
    Path db = dir.resolve("mixrelay.db");
    if (!Files.exists(db)) {
      throw new IllegalStateException("there is no intake log in " + dir + " (storage.dir): no"
          + " relay has run on it yet");
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    config.setBusyTimeout(5000);
    try {
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath(),
          config.toProperties());
      return new LogSnapshot(dir, c);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the intake log in " + dir + ": "
          + e.getMessage(), e);
    }
  }

  /** True when another process (a relay, an import) holds the log's lock right now. */
  public boolean inUse() {
    Path lockFile = dir.resolve("mixrelay.lock");
    if (!Files.exists(lockFile)) {
      return false;
    }
    try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
      FileLock lock = ch.tryLock(0, Long.MAX_VALUE, false);
      if (lock == null) {
        return true;
      }
      lock.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Dead letters with id greater than {@code afterId}, oldest first, optionally one destination's. */
  public List<DeadLetterRow> deadLetters(String destination, long afterId, int max) {
    try {
      return SqliteIntakeLog.selectDeadLetters(conn, destination, afterId, max);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the dead letters in " + dir + ": "
          + e.getMessage(), e);
    }
  }

  /** The backlog (messages after the acknowledged offset), dead letters and checkpoints. */
  public Status status() {
    try {
      long acked = scalar("SELECT value FROM meta WHERE key = 'acked_offset'");
      long last = Math.max(scalar("SELECT value FROM meta WHERE key = 'last_offset'"),
          scalar("SELECT COALESCE(MAX(offset), 0) FROM messages"));
      long messages;
      long bytes;
      long oldest;
      try (PreparedStatement ps = conn.prepareStatement("SELECT COUNT(*),"
          + " COALESCE(SUM(LENGTH(json)), 0), COALESCE(MIN(appended_at), 0) FROM messages"
          + " WHERE offset > ?")) {
        ps.setLong(1, acked);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          messages = rs.getLong(1);
          bytes = rs.getLong(2);
          oldest = rs.getLong(3);
        }
      }
      Map<String, Long> dead = new LinkedHashMap<>();
      try (PreparedStatement ps = conn.prepareStatement("SELECT destination, COUNT(*) FROM"
          + " dead_letters GROUP BY destination ORDER BY destination");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          dead.put(rs.getString(1), rs.getLong(2));
        }
      }
      Map<String, Long> checkpoints = new LinkedHashMap<>();
      try (PreparedStatement ps = conn.prepareStatement("SELECT name, offset FROM checkpoints"
          + " ORDER BY name");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          checkpoints.put(rs.getString(1), rs.getLong(2));
        }
      }
      return new Status(messages, bytes, oldest, acked, last, dead, checkpoints);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the intake log in " + dir + ": "
          + e.getMessage(), e);
    }
  }

  private long scalar(String sql) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  @Override
  public void close() {
    try {
      conn.close();
    } catch (SQLException e) {
      // read-only: nothing to lose
    }
  }
}

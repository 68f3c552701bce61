package dev.mixrelay.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.demo.ManualClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The messageId window's time buckets on the SQLite log: exact in its window across buckets and
 * restarts, whole buckets dropped once out of the window, the bound, and the table of a log
 * written before buckets moved into them.
 */
class DedupBucketsTest {
  private static final long HOUR = 3600_000L;
  private static final long DAY = 24 * HOUR;
  @TempDir
  Path dir;
  final Vertx vertx = Vertx.vertx();
  final ManualClock clock = new ManualClock(Instant.parse("2026-12-01T00:00:00Z"));

  @AfterEach
  void close() {
    await(vertx.close());
  }

  private SqliteIntakeLog open(long maxIds) {
    return SqliteIntakeLog.open(vertx, clock,
        new SqliteIntakeLog.Options(dir, false, Long.MAX_VALUE, 0, DAY, maxIds));
  }

  private static List<LogEntry> ids(String prefix, int from, int n) {
    return ids("web", prefix, from, n);
  }

  private static List<LogEntry> ids(String source, String prefix, int from, int n) {
    List<LogEntry> out = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      out.add(new LogEntry(source, "{}".getBytes(StandardCharsets.UTF_8), null, prefix + i));
    }
    return out;
  }

  private static int duplicates(SqliteIntakeLog log, List<LogEntry> entries) {
    BitSet d = await(log.appendOnce(entries)).duplicates();
    return d.cardinality();
  }

  @Test
  void anIdIsADuplicateThroughItsWholeWindowAcrossBucketsAndRestartsAndNewAfterIt() {
    SqliteIntakeLog log = open(Long.MAX_VALUE);
    for (int h = 0; h < 30; h++) { // a bucket every two hours: ids spread over fifteen of them
      assertThat(duplicates(log, ids("m-" + h + "-", 0, 50))).isZero();
      clock.advance(Duration.ofHours(1));
    }
    // now 30 h after the first ids: hours 7..29 are within 24 h, hours 0..6 are not
    assertThat(duplicates(log, ids("m-29-", 0, 50))).isEqualTo(50);
    assertThat(duplicates(log, ids("m-7-", 0, 50))).isEqualTo(50);
    await(log.close());
    log = open(Long.MAX_VALUE);
    assertThat(duplicates(log, ids("m-8-", 0, 50))).isEqualTo(50);
    assertThat(duplicates(log, ids("m-6-", 0, 50))).isZero(); // out of the window: new again
    assertThat(duplicates(log, ids("m-6-", 0, 50))).isEqualTo(50); // and now in it
    assertThat(duplicates(log, ids("never-", 0, 1000))).isZero();
    // the buckets wholly out of the window are gone; about 13 of two hours are left
    assertThat(bucketTables()).isBetween(12, 15);
    await(log.close());
  }

  @Test
  void eachSourceHasItsOwnWindow() {
    SqliteIntakeLog log = SqliteIntakeLog.open(vertx, clock, new SqliteIntakeLog.Options(dir,
        false, Long.MAX_VALUE, 0, DAY, Long.MAX_VALUE, java.util.Map.of("short", 10 * 60_000L,
            "off", 0L)));
    assertThat(duplicates(log, ids("web", "w-", 0, 20))).isZero();
    assertThat(duplicates(log, ids("short", "s-", 0, 20))).isZero();
    assertThat(duplicates(log, ids("off", "o-", 0, 20))).isZero();
    clock.advance(Duration.ofMinutes(9));
    assertThat(duplicates(log, ids("short", "s-", 0, 20))).isEqualTo(20);
    assertThat(duplicates(log, ids("off", "o-", 0, 20))).isZero();
    clock.advance(Duration.ofMinutes(2)); // 11 minutes: past the short window, in the same bucket
    assertThat(duplicates(log, ids("short", "s-", 0, 20))).isZero();
    assertThat(duplicates(log, ids("short", "s-", 0, 20))).isEqualTo(20); // and now in it again
    assertThat(duplicates(log, ids("web", "w-", 0, 20))).isEqualTo(20);
    clock.advance(Duration.ofHours(3)); // another bucket: found in an older one
    assertThat(duplicates(log, ids("web", "w-", 0, 20))).isEqualTo(20);
    assertThat(duplicates(log, ids("short", "s-", 0, 20))).isZero();
    await(log.close());
  }

  @Test
  void pastTheBoundTheOldestBucketsAreForgottenCountedAndNewIdsStillAccepted() {
    SqliteIntakeLog log = open(1000);
    for (int i = 0; i < 40; i++) {
      assertThat(duplicates(log, ids("b-", i * 100, 100))).isZero();
      clock.advance(Duration.ofMinutes(1));
    }
    assertThat(log.dedupIds()).isLessThanOrEqualTo(1000);
    assertThat(log.dedupForgotten()).isEqualTo(4000 - log.dedupIds());
    // the newest ids are still exact; the oldest were forgotten, so they count as new
    assertThat(duplicates(log, ids("b-", 3900, 100))).isEqualTo(100);
    assertThat(duplicates(log, ids("b-", 0, 100))).isZero();
    await(log.close());
  }

  @Test
  void theIdsOfALogWrittenBeforeBucketsAreMovedIntoThem() throws Exception {
    await(open(Long.MAX_VALUE).close());
    long now = clock.millis();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("mixrelay.db"))) {
      try (Statement st = c.createStatement()) {
        st.execute("DROP TABLE dedup_buckets");
        st.execute("CREATE TABLE dedup_ids (key BLOB PRIMARY KEY, expires_at INTEGER NOT NULL)"
            + " WITHOUT ROWID");
        st.execute("CREATE INDEX dedup_expiry ON dedup_ids (expires_at)");
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO dedup_ids VALUES (?, ?)")) {
        for (int i = 0; i < 300; i++) { // accepted 0 to 29.9 hours ago: 240 still in the window
          ps.setBytes(1, SqliteIntakeLog.dedupKey("web", "old-" + i));
          ps.setLong(2, now - i * HOUR / 10 + DAY);
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }
    SqliteIntakeLog log = open(Long.MAX_VALUE);
    assertThat(log.dedupIds()).isEqualTo(240);
    assertThat(duplicates(log, ids("old-", 0, 240))).isEqualTo(240);
    assertThat(duplicates(log, ids("old-", 240, 60))).isZero();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("mixrelay.db"));
         Statement st = c.createStatement();
         ResultSet rs = st.executeQuery(
             "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('dedup_ids', 'dedup_expiry')")) {
      rs.next();
      assertThat(rs.getInt(1)).isZero();
    }
    await(log.close());
  }

  private int bucketTables() {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("mixrelay.db"));
         Statement st = c.createStatement();
         ResultSet rs = st.executeQuery(
             "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'dedup_ids_%'")) {
      rs.next();
      return rs.getInt(1);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}

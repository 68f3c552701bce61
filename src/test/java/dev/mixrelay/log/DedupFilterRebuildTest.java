package dev.mixrelay.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The window's filters are rebuilt in the background after a restart: until they are back every
 * id is answered from the tables, exactly as after; the big newest bucket is sealed meanwhile.
 */
class DedupFilterRebuildTest {
  private static final long HOUR = 3600_000L;
  private static final long DAY = 24 * HOUR;
  private static final long T0 = 1_796_000_000_000L;
  @TempDir
  Path dir;

  private Connection open() throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("w.db"));
    try (Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode=WAL");
      st.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)");
    }
    c.setAutoCommit(false);
    return c;
  }

  private static List<byte[]> keys(String prefix, int n) {
    List<byte[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(("web:" + prefix + i).getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  private static int duplicates(Connection c, DedupWindow w, List<byte[]> keys, long now)
      throws SQLException {
    long[] windows = new long[keys.size()];
    Arrays.fill(windows, DAY);
    int d = w.check(keys, windows, now).cardinality();
    w.expire(now);
    c.commit();
    w.commit();
    return d;
  }

  @Test
  void untilItsFiltersAreBackTheWindowAnswersFromItsTablesExactly() throws Exception {
    int big = (int) DedupWindow.SYNC_REBUILD_MAX + 5_000;
    try (Connection c = open()) {
      DedupWindow w = new DedupWindow(c, DAY, Long.MAX_VALUE, T0);
      assertThat(duplicates(c, w, keys("old-", 1_000), T0)).isZero();
      assertThat(duplicates(c, w, keys("new-", big), T0 + 3 * HOUR)).isZero();
    }
    List<Runnable> held = new ArrayList<>();
    try (Connection c = open()) {
      DedupWindow w = new DedupWindow(c, this::open, held::add, DAY, Long.MAX_VALUE,
          T0 + 4 * HOUR);
      assertThat(held).hasSize(1);
      assertThat(w.filtersReady()).isFalse();
      assertThat(w.filterBytes()).isZero();
      // before the rebuild: every old id found in its table, a new id is new
      assertThat(duplicates(c, w, keys("old-", 1_000), T0 + 4 * HOUR)).isEqualTo(1_000);
      assertThat(duplicates(c, w, keys("new-", big), T0 + 4 * HOUR)).isEqualTo(big);
      assertThat(duplicates(c, w, keys("during-", 500), T0 + 4 * HOUR)).isZero();
      assertThat(w.ids()).isEqualTo(1_000L + big + 500);
      held.get(0).run();
      assertThat(w.filtersReady()).isTrue();
      assertThat(w.filterBytes()).isPositive();
      // after it: the same answers, and the ids taken during it were in a bucket of their own
      assertThat(duplicates(c, w, keys("old-", 1_000), T0 + 5 * HOUR)).isEqualTo(1_000);
      assertThat(duplicates(c, w, keys("new-", big), T0 + 5 * HOUR)).isEqualTo(big);
      assertThat(duplicates(c, w, keys("during-", 500), T0 + 5 * HOUR)).isEqualTo(500);
      assertThat(duplicates(c, w, keys("after-", 500), T0 + 5 * HOUR)).isZero();
      try (Statement st = c.createStatement();
           var rs = st.executeQuery("SELECT COUNT(*) FROM dedup_buckets")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(3);
      }
    }
  }

  @Test
  void aSmallNewestBucketIsRebuiltAtOpenAndWrittenOn() throws Exception {
    try (Connection c = open()) {
      DedupWindow w = new DedupWindow(c, DAY, Long.MAX_VALUE, T0);
      assertThat(duplicates(c, w, keys("a-", 100), T0)).isZero();
    }
    List<Runnable> held = new ArrayList<>();
    try (Connection c = open()) {
      DedupWindow w = new DedupWindow(c, this::open, held::add, DAY, Long.MAX_VALUE, T0 + HOUR);
      assertThat(held).isEmpty();
      assertThat(w.filtersReady()).isTrue();
      assertThat(duplicates(c, w, keys("a-", 100), T0 + HOUR)).isEqualTo(100);
      assertThat(duplicates(c, w, keys("b-", 100), T0 + HOUR)).isZero();
      try (Statement st = c.createStatement();
           var rs = st.executeQuery("SELECT COUNT(*) FROM dedup_buckets")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(1);
      }
    }
  }
}

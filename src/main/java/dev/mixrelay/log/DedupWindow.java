package dev.mixrelay.log;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messageId de-duplication window on the log's write connection.
 *
 * <h2>Design constraints</h2>
 * <ul>
 *   <li>Ids live in time buckets, {@value #BUCKETS_PER_WINDOW} per window (two hours at 24 h):
 *       one table per bucket ({@code dedup_ids_N}: 64-bit hash, the key, the time accepted;
 *       primary key hash then key, so the check is exact) listed in {@code dedup_buckets}. Rows
 *       are only ever inserted; a bucket is dropped whole once its newest id left the window, so
 *       there is no expiry index and no delete per id.</li>
 *   <li>Each bucket has an in-memory {@link IdFilter}: an id its filter has not seen is not in it,
 *       so a new id (the usual case) costs no read of the older buckets, only the insert into the
 *       newest one. A "maybe" is answered by the table; a filter never drops a message.</li>
 *   <li>A bucket's ids are older than its successor's start, so a found id is a duplicate when
 *       its stored time is within the window (exact, whatever the bucket's age).</li>
 *   <li>{@code maxIds} bounds the ids kept: past it the oldest bucket goes early and its ids
 *       still in their window are counted as forgotten. A bucket also closes when it holds its
 *       filter's capacity, so no bucket outgrows its filter or an eighth of the bound.</li>
 *   <li>Every change runs in the writer's transaction; {@link #rollback} restores the in-memory
 *       list when that transaction fails.</li>
 *   <li>At open the filters are rebuilt from the tables in the background, on a connection of
 *       their own, so intake opens at once: until a bucket's filter is back every id is looked up
 *       in its table (exact, slower). A newest bucket of more than {@value #SYNC_REBUILD_MAX} ids
 *       is sealed (new ids go to a new bucket), so the buckets rebuilt in the background never
 *       change while they are read; a smaller one is rebuilt before intake opens.</li>
 * </ul>
 */
final class DedupWindow {
  private static final Logger LOG = LoggerFactory.getLogger(DedupWindow.class);
  static final int BUCKETS_PER_WINDOW = 12;
  private static final long MIN_CAPACITY = 65_536;
  /** A newest bucket of at most this many ids is rebuilt at open and written on. */
  static final long SYNC_REBUILD_MAX = 65_536;

  private final Connection conn;
  private final long window;
  private final long span;
  private final long maxIds;
  private final long maxBucket;
  private List<Bucket> buckets = new ArrayList<>();
  private List<Bucket> committed = List.of();
  private long[] committedIds = new long[0];
  private long ids;
  private long forgotten;

  /** One bucket: its table's number, start, filter (null until rebuilt) and id count. */
  private static final class Bucket {
    final long n;
    final long start;
    final long capacity;
    /** Set by the background rebuild (read by the writer); null: look every id up. */
    volatile IdFilter filter;
    /** Loaded at open and rebuilt in the background: takes no new ids. */
    boolean sealed;
    long ids;

    Bucket(long n, long start, IdFilter filter, long ids) {
      this.n = n;
      this.start = start;
      this.capacity = filter.capacity();
      this.filter = filter;
      this.ids = ids;
    }

    Bucket(long n, long start, long capacity, long ids) {
      this.n = n;
      this.start = start;
      this.capacity = capacity;
      this.ids = ids;
    }

    boolean mightContain(long h) {
      IdFilter f = filter;
      return f == null || f.mightContain(h);
    }

    String table() {
      return "dedup_ids_" + n;
    }
  }

  /**
   * Opens the window on {@code conn} (auto-commit off): creates its tables, moves the ids of a
   * log written before buckets ({@code dedup_ids}) into one, rebuilds the filters, and commits.
   */
  DedupWindow(Connection conn, long windowMillis, long maxIds, long now) throws SQLException {
    this(conn, null, null, windowMillis, maxIds, now);
  }

  /**
   * As above, the filters of the buckets found rebuilt on {@code rebuild} over a connection
   * {@code reader} opens (both null: rebuilt here, before this returns).
   */
  DedupWindow(Connection conn, Callable<Connection> reader, Executor rebuild, long windowMillis,
      long maxIds, long now) throws SQLException {
    this.conn = conn;
    this.window = windowMillis;
    this.span = Math.max(1, windowMillis / BUCKETS_PER_WINDOW);
    this.maxIds = maxIds;
    this.maxBucket = Math.max(1, maxIds / 8);
    try (Statement st = conn.createStatement()) {
      st.execute("CREATE TABLE IF NOT EXISTS dedup_buckets (n INTEGER PRIMARY KEY,"
          + " started_at INTEGER NOT NULL, ids INTEGER NOT NULL, capacity INTEGER NOT NULL)");
      st.execute("INSERT OR IGNORE INTO meta VALUES ('dedup_forgotten', 0)");
    }
    forgotten = metaValue("dedup_forgotten");
    try (Statement st = conn.createStatement();
         ResultSet rs = st.executeQuery("SELECT n, started_at, ids, capacity FROM dedup_buckets ORDER BY n")) {
      while (rs.next()) {
        long count = rs.getLong(3);
        buckets.add(new Bucket(rs.getLong(1), rs.getLong(2), Math.max(rs.getLong(4), count),
            count));
      }
    }
    List<Bucket> background = new ArrayList<>();
    for (int i = 0; i < buckets.size(); i++) {
      Bucket b = buckets.get(i);
      ids += b.ids;
      boolean newest = i == buckets.size() - 1;
      if (rebuild == null || (newest && b.ids <= SYNC_REBUILD_MAX)) {
        b.filter = rebuildFilter(conn, b);
      } else {
        b.sealed = true;
        background.add(b);
      }
    }
    migrateUnbucketedIds(now);
    conn.commit();
    commit();
    if (!background.isEmpty()) {
      rebuilding = true;
      rebuild.execute(() -> rebuildInBackground(reader, background));
    }
  }

  private static IdFilter rebuildFilter(Connection c, Bucket b) throws SQLException {
    IdFilter f = new IdFilter(b.capacity);
    try (Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT h FROM " + b.table())) {
      while (rs.next()) {
        f.add(rs.getLong(1));
      }
    }
    return f;
  }

  /**
   * Rebuilds the sealed buckets' filters, newest first (the likeliest to hold a retry); a bucket
   * dropped meanwhile (out of the window) is skipped. Until its filter is set a bucket answers
   * every id from its table.
   */
  private void rebuildInBackground(Callable<Connection> reader, List<Bucket> sealed) {
    long started = System.nanoTime();
    long rebuilt = 0;
    try (Connection c = reader.call()) {
      for (int i = sealed.size() - 1; i >= 0 && !closed; i--) {
        Bucket b = sealed.get(i);
        try {
          b.filter = rebuildFilter(c, b);
          rebuilt += b.ids;
        } catch (SQLException e) {
          LOG.debug("bucket {} of the de-duplication window not rebuilt (dropped?): {}", b.n,
              e.getMessage());
        }
      }
      LOG.info("the de-duplication window's filters are rebuilt: {} ids in {} ms (until then"
          + " ids were looked up on disk)", rebuilt, (System.nanoTime() - started) / 1_000_000);
    } catch (Exception e) {
      LOG.warn("the de-duplication window's filters could not be rebuilt; ids are looked up on"
          + " disk: {}", e.toString());
    } finally {
      rebuilding = false;
    }
  }

  private volatile boolean closed;
  private volatile boolean rebuilding;

  /** Stops a rebuild still running (the window keeps answering from the tables). */
  void close() {
    closed = true;
  }

  /** True once the background rebuild has ended (any thread may ask). */
  boolean filtersReady() {
    return !rebuilding;
  }

  /** Ids held (those of every live bucket). */
  long ids() {
    return ids;
  }

  /** Ids forgotten before their window ended (the bound reached), since the log was created. */
  long forgotten() {
    return forgotten;
  }

  /** Heap the filters take, in bytes. */
  long filterBytes() {
    long sum = 0;
    for (Bucket b : buckets) {
      IdFilter f = b.filter;
      sum += f == null ? 0 : f.bytes();
    }
    return sum;
  }

  /**
   * Checks {@code keys} in order and records the new ones accepted at {@code now}; a key seen
   * within its window ({@code windows[i]}, at most the window the buckets keep; or earlier in
   * {@code keys}) is set in the answer. Null keys are skipped.
   */
  BitSet check(List<byte[]> keys, long[] windows, long now) throws SQLException {
    BitSet duplicates = new BitSet();
    Bucket current = current(now);
    long[] hashes = new long[keys.size()];
    BitSet toInsert = new BitSet();
    for (int i = 0; i < keys.size(); i++) {
      byte[] key = keys.get(i);
      if (key == null) {
        continue;
      }
      long h = IdFilter.hash(key);
      hashes[i] = h;
      if (inOlderBucket(current, h, key, now - Math.min(window, windows[i]))) {
        duplicates.set(i);
      } else {
        toInsert.set(i);
      }
    }
    if (toInsert.isEmpty()) {
      return duplicates;
    }
    // inserted in the table's key order (by hash; a stable sort keeps a repeated key's first
    // place first): consecutive inserts land on neighbouring pages of the B-tree
    Integer[] order = toInsert.stream().boxed().toArray(Integer[]::new);
    Arrays.sort(order, (a, b) -> Long.compare(hashes[a], hashes[b]));
    try (PreparedStatement ps = conn.prepareStatement(
        "INSERT OR IGNORE INTO " + current.table() + " VALUES (?, ?, ?)")) {
      for (int i : order) {
        ps.setLong(1, hashes[i]);
        ps.setBytes(2, keys.get(i));
        ps.setLong(3, now);
        ps.addBatch();
      }
      // one change per new key, none for a key already there (a repeat in this batch)
      int[] changes = ps.executeBatch();
      int c = 0;
      for (int i : order) {
        if (changes[c++] == 0) {
          // the newest bucket's ids are younger than its span: a repeat for any longer window
          if (windows[i] >= span || !acceptAgain(current, hashes[i], keys.get(i), now,
              windows[i])) {
            duplicates.set(i);
          }
        } else {
          current.filter.add(hashes[i]);
          current.ids++;
          ids++;
        }
      }
    }
    return duplicates;
  }

  /**
   * For a source whose window is shorter than a bucket's span: true (and the key's time set to
   * now) when the key in the newest bucket is older than that window.
   */
  private boolean acceptAgain(Bucket current, long h, byte[] key, long now, long window)
      throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("UPDATE " + current.table()
        + " SET at = ? WHERE h = ? AND id = ? AND at <= ?")) {
      ps.setLong(1, now);
      ps.setLong(2, h);
      ps.setBytes(3, key);
      ps.setLong(4, now - window);
      return ps.executeUpdate() == 1;
    }
  }

  private boolean inOlderBucket(Bucket current, long h, byte[] key, long after)
      throws SQLException {
    for (int b = buckets.size() - 1; b >= 0; b--) {
      Bucket bucket = buckets.get(b);
      if (bucket == current || !bucket.mightContain(h)) {
        continue;
      }
      try (PreparedStatement ps = conn.prepareStatement(
          "SELECT at FROM " + bucket.table() + " WHERE h = ? AND id = ?")) {
        ps.setLong(1, h);
        ps.setBytes(2, key);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            // the newest bucket holding the key decides: within the window or not
            return rs.getLong(1) > after;
          }
        }
      }
    }
    return false;
  }

  /** The bucket new ids go to: the newest, unless its time span is over or it is full. */
  private Bucket current(long now) throws SQLException {
    Bucket last = buckets.isEmpty() ? null : buckets.get(buckets.size() - 1);
    if (last != null && !last.sealed && now < last.start + span && last.ids < last.capacity) {
      return last;
    }
    // a full bucket means more ids than foreseen: twice as many; else a quarter more than the last
    long next = last == null ? MIN_CAPACITY
        : last.ids >= last.capacity ? 2 * last.capacity : last.ids + last.ids / 4;
    long capacity = Math.min(maxBucket, Math.max(MIN_CAPACITY, next));
    return create(last == null ? 1 : last.n + 1, now, new IdFilter(capacity));
  }

  private Bucket create(long n, long start, IdFilter filter) throws SQLException {
    Bucket b = new Bucket(n, start, filter, 0);
    try (Statement st = conn.createStatement()) {
      st.execute("CREATE TABLE " + b.table() + " (h INTEGER NOT NULL, id BLOB NOT NULL,"
          + " at INTEGER NOT NULL, PRIMARY KEY (h, id)) WITHOUT ROWID");
      st.execute("INSERT INTO dedup_buckets VALUES (" + n + ", " + start + ", 0, "
          + filter.capacity() + ")");
    }
    buckets.add(b);
    return b;
  }

  /**
   * Drops the buckets whose newest id left the window, then, while more than {@code maxIds} are
   * held, the oldest (counting its ids still in their window as forgotten); stores the counts.
   */
  void expire(long now) throws SQLException {
    while (buckets.size() > 1 && buckets.get(1).start + window <= now) {
      drop(buckets.get(0));
    }
    if (!buckets.isEmpty() && buckets.get(0).start + span + window <= now
        && buckets.size() == 1) {
      drop(buckets.get(0));
    }
    long dropped = 0;
    while (ids > maxIds && !buckets.isEmpty()) {
      Bucket oldest = buckets.get(0);
      try (PreparedStatement ps = conn.prepareStatement(
          "SELECT COUNT(*) FROM " + oldest.table() + " WHERE at > ?")) {
        ps.setLong(1, now - window);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          dropped += rs.getLong(1);
        }
      }
      drop(oldest);
    }
    if (dropped > 0) {
      forgotten += dropped;
      try (PreparedStatement ps = conn.prepareStatement(
          "UPDATE meta SET value = ? WHERE key = 'dedup_forgotten'")) {
        ps.setLong(1, forgotten);
        ps.executeUpdate();
      }
      LOG.warn("the de-duplication window is full ({} ids, dedup.maxIds); forgot the {} oldest"
          + " before their window ended", maxIds, dropped);
    }
    for (Bucket b : buckets) {
      if (b.ids != idsAtCommit(b)) {
        try (PreparedStatement ps = conn.prepareStatement(
            "UPDATE dedup_buckets SET ids = ? WHERE n = ?")) {
          ps.setLong(1, b.ids);
          ps.setLong(2, b.n);
          ps.executeUpdate();
        }
      }
    }
  }

  private void drop(Bucket b) throws SQLException {
    try (Statement st = conn.createStatement()) {
      st.execute("DROP TABLE IF EXISTS " + b.table());
      st.execute("DELETE FROM dedup_buckets WHERE n = " + b.n);
    }
    buckets.remove(b);
    ids -= b.ids;
  }

  private long idsAtCommit(Bucket b) {
    int i = committed.indexOf(b);
    return i < 0 ? -1 : committedIds[i];
  }

  /** The writer's transaction committed: what is in memory is now what is on disk. */
  void commit() {
    committed = List.copyOf(buckets);
    committedIds = new long[committed.size()];
    for (int i = 0; i < committedIds.length; i++) {
      committedIds[i] = committed.get(i).ids;
    }
  }

  /** The writer's transaction rolled back: back to the buckets and counts last committed. */
  void rollback() throws SQLException {
    buckets = new ArrayList<>(committed);
    ids = 0;
    for (int i = 0; i < committedIds.length; i++) {
      buckets.get(i).ids = committedIds[i];
      ids += committedIds[i];
    }
    forgotten = metaValue("dedup_forgotten");
  }

  /**
   * Moves the ids of a log written before buckets (one {@code dedup_ids} table with an expiry
   * index) into buckets by the time each was accepted, and drops the old table.
   */
  private void migrateUnbucketedIds(long now) throws SQLException {
    try (Statement st = conn.createStatement();
         ResultSet rs = st.executeQuery(
             "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'dedup_ids'")) {
      if (!rs.next()) {
        return;
      }
    }
    long moved = 0;
    List<byte[]> keys = new ArrayList<>();
    List<Long> at = new ArrayList<>();
    try (PreparedStatement ps = conn.prepareStatement(
        "SELECT key, expires_at FROM dedup_ids WHERE expires_at > ? ORDER BY expires_at")) {
      ps.setLong(1, now);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long accepted = Math.min(now, rs.getLong(2) - window);
          if (!at.isEmpty() && accepted >= at.get(0) + span) {
            moved += moveBucket(keys, at);
          }
          keys.add(rs.getBytes(1));
          at.add(accepted);
        }
      }
    }
    moved += moveBucket(keys, at);
    try (Statement st = conn.createStatement()) {
      st.execute("DROP TABLE dedup_ids");
      st.execute("DELETE FROM meta WHERE key = 'dedup_ids'");
    }
    LOG.info("the de-duplication window's {} ids moved to time buckets (dedup_ids dropped)", moved);
  }

  /** One migrated bucket, from the time of its first id, full (the next id opens another). */
  private long moveBucket(List<byte[]> keys, List<Long> at) throws SQLException {
    if (keys.isEmpty()) {
      return 0;
    }
    long n = buckets.isEmpty() ? 1 : buckets.get(buckets.size() - 1).n + 1;
    Bucket b = create(n, at.get(0), new IdFilter(keys.size()));
    try (PreparedStatement ps = conn.prepareStatement(
        "INSERT OR IGNORE INTO " + b.table() + " VALUES (?, ?, ?)")) {
      for (int i = 0; i < keys.size(); i++) {
        long h = IdFilter.hash(keys.get(i));
        ps.setLong(1, h);
        ps.setBytes(2, keys.get(i));
        ps.setLong(3, at.get(i));
        ps.addBatch();
        b.filter.add(h);
      }
      ps.executeBatch();
    }
    b.ids = keys.size();
    ids += b.ids;
    try (PreparedStatement ps = conn.prepareStatement(
        "UPDATE dedup_buckets SET ids = ?, capacity = ? WHERE n = ?")) {
      ps.setLong(1, b.ids);
      ps.setLong(2, b.ids);
      ps.setLong(3, b.n);
      ps.executeUpdate();
    }
    keys.clear();
    at.clear();
    return b.ids;
  }

  private long metaValue(String key) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }
}

package dev.mixrelay.log;



import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The intake log in one SQLite database ({@code mixrelay.db}, WAL mode).
 *
 * <h2>Design constraints</h2>
 * <ul>
 *   <li>One writer thread owns the only write connection. Every change (append, acknowledge,
 *       checkpoint, dead letter) is a task on its queue; the thread drains what is queued and runs
 *       it in one transaction (group commit), so many concurrent requests share one fsync.</li>
 *   <li>A promise is completed only after its transaction committed; with {@code fsync: batch}
 *       the connection runs {@code synchronous=FULL}, so commit means the WAL is on disk.</li>
 *   <li>Offsets are assigned here, strictly increasing, and never reused: the highest one is
 *       stored in {@code meta} in the same transaction, so deleting acknowledged rows (even all of
 *       them) cannot make an offset come back.</li>
 *   <li>Rows are deleted only below the lowest of the acknowledged offset and every checkpoint's
 *       offset, so a stage that restores a checkpoint can always replay from it.</li>
 *   <li>Reads use a second connection on a reader thread (WAL readers do not block the writer).</li>
 *   <li>The backlog counters live in memory and are rebuilt from the table at open.</li>
 * </ul>
 * Schema version 1 (frozen fixture: {@code src/test/resources/log/v1/mixrelay.db}).
 */
public final class SqliteIntakeLog implements IntakeLog {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteIntakeLog.class);
  /** The on-disk schema version this class reads and writes. */
  public static final int SCHEMA_VERSION = 1;
  private static final int MAX_GROUP = 20_000;
  /**
   * How many of the newest committed messages, and how many bytes of them, the log keeps in
   * memory with their appended trees: a reader no further behind gets them without a disk read
   * and a second parse.
   */
  public static final int RECENT_MESSAGES = 8_000;
  public static final long RECENT_BYTES = 8L << 20;

  private final Vertx vertx;
  private final Clock clock;
  private final long maxUnackedBytes;
  private final long commitDelayMicros;
  private final Connection writeConn;
  private final Connection readConn;
  private final ExecutorService writer;
  private final ExecutorService reader;
  private final LinkedBlockingQueue<Task> queue = new LinkedBlockingQueue<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Backlog backlog;
  /** Enough for the pipeline's reads while it keeps up; a reader further behind uses the disk. */
  private final RecentMessages recent = new RecentMessages(RECENT_MESSAGES, RECENT_BYTES);
  private volatile boolean writable = true;
  private long lastOffset;
  private long persistedAck;
  private volatile long pendingAck;
  private long deletedBelow;
  private volatile long lastOffsetSeen;
  private long lastDeleteAt;
  /** The de-duplication windows in milliseconds (0: off) and the most ids it keeps. */
  private final Options options;
  private final long dedupWindowMillis;
  private final long dedupMaxIds;
  /** The window's ids (null when it is off); the writer thread owns it. */
  private final DedupWindow dedup;
  private volatile long dedupIdsSeen;
  /** Ids forgotten before their window ended because {@code dedupMaxIds} was reached. */
  private volatile long dedupForgotten;
  private volatile long dedupFilterBytes;

  /**
   * Options the log is opened with: {@code dedupWindowMillis} is the window of a source that
   * {@code sourceWindowMillis} does not name (0: off).
   */
  public record Options(Path dir, boolean fsync, long maxUnackedBytes, long commitDelayMicros,
      long dedupWindowMillis, long dedupMaxIds, java.util.Map<String, Long> sourceWindowMillis) {

    public Options {
      sourceWindowMillis = sourceWindowMillis == null ? java.util.Map.of()
          : java.util.Map.copyOf(sourceWindowMillis);
    }

    /** One window for every source. */
    public Options(Path dir, boolean fsync, long maxUnackedBytes, long commitDelayMicros,
        long dedupWindowMillis, long dedupMaxIds) {
      this(dir, fsync, maxUnackedBytes, commitDelayMicros, dedupWindowMillis, dedupMaxIds, null);
    }

    /** The longest window of any source: how long the log keeps ids. */
    long longestWindowMillis() {
      long max = dedupWindowMillis;
      for (long w : sourceWindowMillis.values()) {
        max = Math.max(max, w);
      }
      return max;
    }

    long windowMillis(String source) {
      return sourceWindowMillis.getOrDefault(source, dedupWindowMillis);
    }

    /** Without a de-duplication window. */
    public Options(Path dir, boolean fsync, long maxUnackedBytes, long commitDelayMicros) {
      this(dir, fsync, maxUnackedBytes, commitDelayMicros, 0, Long.MAX_VALUE);
    }
  }

  private SqliteIntakeLog(Vertx vertx, Clock clock, Options options) throws SQLException {
    this.vertx = vertx;
    this.clock = clock;
    this.maxUnackedBytes = options.maxUnackedBytes();
    this.commitDelayMicros = options.commitDelayMicros();
    this.options = options;
    this.dedupWindowMillis = options.longestWindowMillis();
    this.dedupMaxIds = options.dedupMaxIds();
    String url = "jdbc:sqlite:" + options.dir().resolve("mixrelay.db").toAbsolutePath();
    writeConn = DriverManager.getConnection(url);
    try (Statement st = writeConn.createStatement()) {
      // 16 KiB pages (a new file only; an existing one keeps its size): a third less writer CPU
      // per message than 4 KiB, with or without the messageId window (DedupAppendBenchmark)
      st.execute("PRAGMA page_size=16384");
      st.execute("PRAGMA journal_mode=WAL");
      st.execute("PRAGMA synchronous=" + (options.fsync() ? "FULL" : "NORMAL"));
      st.execute("PRAGMA busy_timeout=5000");
      st.execute("PRAGMA cache_size=-65536");
      st.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)");
      st.execute("CREATE TABLE IF NOT EXISTS messages (offset INTEGER PRIMARY KEY, source TEXT NOT NULL,"
          + " appended_at INTEGER NOT NULL, json BLOB NOT NULL)");
      st.execute("CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, offset INTEGER NOT NULL,"
          + " state BLOB NOT NULL, saved_at INTEGER NOT NULL)");
      // a checkpoint's parts after its first (which is checkpoints.state): a large state is
      // written and read in pieces, never as one array (a table added within schema version 1:
      // an older mixrelay reads such a checkpoint's first part only, finds it unreadable and
      // starts that stage from the acknowledged offset, as for any unreadable checkpoint)
      st.execute("CREATE TABLE IF NOT EXISTS checkpoint_parts (name TEXT NOT NULL, part INTEGER"
          + " NOT NULL, bytes BLOB NOT NULL, PRIMARY KEY (name, part))");
      st.execute("CREATE TABLE IF NOT EXISTS dead_letters (id INTEGER PRIMARY KEY AUTOINCREMENT,"
          + " destination TEXT NOT NULL, endpoint TEXT NOT NULL, record TEXT NOT NULL,"
          + " reason TEXT NOT NULL, created_at INTEGER NOT NULL)");
      // records of unacknowledged messages Mixpanel already took; dropped at acknowledgement
      st.execute("CREATE TABLE IF NOT EXISTS delivered_records (offset INTEGER NOT NULL,"
          + " destination TEXT NOT NULL, idx INTEGER NOT NULL, PRIMARY KEY (offset, destination, idx))"
          + " WITHOUT ROWID");
      st.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', " + SCHEMA_VERSION + ")");
      st.execute("INSERT OR IGNORE INTO meta VALUES ('last_offset', 0)");
      st.execute("INSERT OR IGNORE INTO meta VALUES ('acked_offset', 0)");
    }
    long version = meta("schema_version");
    if (version != SCHEMA_VERSION) {
      writeConn.close();
      throw new SQLException("the log at " + options.dir() + " has schema version " + version
          + "; this mixrelay reads version " + SCHEMA_VERSION);
    }
    lastOffset = Math.max(meta("last_offset"), scalar("SELECT COALESCE(MAX(offset), 0) FROM messages"));
    persistedAck = meta("acked_offset");
    pendingAck = persistedAck;
    deletedBelow = persistedAck;
    lastOffsetSeen = lastOffset;
    backlog = new Backlog();
    try (PreparedStatement ps = writeConn.prepareStatement("SELECT COUNT(*), COALESCE(SUM(LENGTH(json)), 0),"
        + " COALESCE(MIN(appended_at), 0), COALESCE(MAX(offset), 0) FROM messages WHERE offset > ?")) {
      ps.setLong(1, persistedAck);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (rs.getLong(1) > 0) {
          backlog.add(new Chunk(rs.getLong(4), rs.getLong(1), rs.getLong(2), rs.getLong(3)));
        }
      }
    }
    writeConn.setAutoCommit(false);
    // the de-duplication window (see DedupWindow): its tables, and its filters rebuilt in the
    // background on a read connection of their own, so intake opens at once
    dedup = dedupWindowMillis > 0
        ? new DedupWindow(writeConn, () -> readOnly(url),
            r -> daemon(r, "mixrelay-dedup-filters").start(), dedupWindowMillis, dedupMaxIds,
            clock.millis())
        : null;
    dedupIdsSeen = dedup == null ? 0 : dedup.ids();
    dedupForgotten = dedup == null ? 0 : dedup.forgotten();
    dedupFilterBytes = dedup == null ? 0 : dedup.filterBytes();
    readConn = DriverManager.getConnection(url);
    try (Statement st = readConn.createStatement()) {
      st.execute("PRAGMA busy_timeout=5000");
    }
    writer = Executors.newSingleThreadExecutor(r -> daemon(r, "mixrelay-log-writer"));
    reader = Executors.newSingleThreadExecutor(r -> daemon(r, "mixrelay-log-reader"));
    writer.execute(this::writeLoop);
  }

  /**
   * Opens (creating when absent) the log under {@code options.dir()}; blocking, so call it from a
   * worker thread or before the event loop starts.
   */
  public static SqliteIntakeLog open(Vertx vertx, Clock clock, Options options) {
    try {
      Files.createDirectories(options.dir());
      lockAgainstOtherProcesses(options.dir());
      return new SqliteIntakeLog(vertx, clock, options);
    } catch (Exception e) {
      throw new IllegalStateException("cannot open the intake log in " + options.dir() + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * Takes an OS lock on {@code mixrelay.lock} for the life of the process, so a second relay (or
   * import) on the same directory stops with a clear error instead of interleaving writes. A
   * second open inside the same process (a restart in tests) is allowed.
   */
  private static void lockAgainstOtherProcesses(Path dir) throws java.io.IOException {
    Path lockFile = dir.resolve("mixrelay.lock").toAbsolutePath();
    synchronized (LOCKS) {
      if (LOCKS.containsKey(lockFile)) {
        return;
      }
      java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lockFile,
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
      java.nio.channels.FileLock lock = ch.tryLock();
      if (lock == null) {
        ch.close();
        throw new IllegalStateException("another mixrelay process is using " + dir
            + " (storage.dir); stop it or give this one its own storage.dir");
      }
      LOCKS.put(lockFile, lock);
    }
  }

  private static final java.util.Map<Path, java.nio.channels.FileLock> LOCKS = new java.util.HashMap<>();

  private static Connection readOnly(String url) throws SQLException {
    Connection c = DriverManager.getConnection(url);
    try (Statement st = c.createStatement()) {
      st.execute("PRAGMA busy_timeout=5000");
      st.execute("PRAGMA query_only=true");
    }
    return c;
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  // ---- public operations -------------------------------------------------------------------

  @Override
  public Future<Long> append(List<LogEntry> entries) {
    Append a = new Append(entries);
    return this.<Long>submit(a);
  }

  @Override
  public Future<AppendOutcome> appendOnce(List<LogEntry> entries) {
    Append a = new Append(entries);
    return this.<Long>submit(a).map(last -> new AppendOutcome(last, a.duplicates));
  }

  @Override
  public Future<Void> markDelivered(List<DeliveryMarks.Mark> marks) {
    return submit(new MarkDelivered(marks));
  }

  @Override
  public Future<java.util.Set<DeliveryMarks.Mark>> deliveredAfter(long offset) {
    return query(c -> {
      java.util.Set<DeliveryMarks.Mark> out = new java.util.HashSet<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT offset, destination, idx FROM delivered_records WHERE offset > ?")) {
        ps.setLong(1, offset);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new DeliveryMarks.Mark(rs.getLong(1), rs.getString(2), rs.getInt(3)));
          }
        }
      }
      return out;
    });
  }

  /** Ids the de-duplication window holds now (an upper bound). */
  public long dedupIds() {
    return dedupIdsSeen;
  }

  /** Heap the window's in-memory filters take, in bytes. */
  /** True once the window's filters are rebuilt after the open (or there is no window). */
  boolean dedupFiltersReady() {
    return dedup == null || dedup.filtersReady();
  }

  public long dedupFilterBytes() {
    return dedupFilterBytes;
  }

  /** Ids forgotten before their window ended, since the log was created. */
  public long dedupForgotten() {
    return dedupForgotten;
  }

  @Override
  public Future<List<StoredMessage>> read(long afterOffset, int max) {
    Reply<List<StoredMessage>> promise = contextPromise();
    if (closed.get()) {
      return Future.failedFuture("the intake log is closed");
    }
    List<StoredMessage> inMemory = recent.after(afterOffset, max);
    if (inMemory != null) {
      promise.complete(inMemory);
      return promise.future();
    }
    reader.execute(() -> {
      List<StoredMessage> out = new ArrayList<>(Math.min(max, 4096));
      try (PreparedStatement ps = readConn.prepareStatement(
          "SELECT offset, source, appended_at, json FROM messages WHERE offset > ? ORDER BY offset LIMIT ?")) {
        ps.setLong(1, afterOffset);
        ps.setInt(2, max);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new StoredMessage(rs.getLong(1), rs.getString(2), rs.getBytes(4), rs.getLong(3)));
          }
        }
        promise.complete(out);
      } catch (SQLException e) {
        promise.fail(e);
      }
    });
    return promise.future();
  }

  @Override
  public Future<Void> acknowledge(long offset) {
    synchronized (this) {
      if (offset > pendingAck) {
        pendingAck = offset;
        backlog.ackUpTo(offset);
      }
    }
    return submit(new Flush());
  }

  @Override
  public LogStats stats() {
    synchronized (this) {
      return new LogStats(backlog.messages, backlog.bytes, backlog.oldest(), pendingAck, lastOffsetSeen);
    }
  }

  @Override
  public boolean overCapacity() {
    synchronized (this) {
      return backlog.bytes > maxUnackedBytes;
    }
  }

  /** True while the last write succeeded and the log is open. */
  public boolean writable() {
    return writable && !closed.get();
  }

  @Override
  public Future<Void> saveCheckpoint(Checkpoint checkpoint) {
    return submit(new SaveCheckpoint(checkpoint));
  }

  @Override
  public Future<Boolean> renameCheckpoint(String from, String to) {
    return submit(new RenameCheckpoint(from, to));
  }

  @Override
  public Future<Checkpoint> loadCheckpoint(String name) {
    return query(c -> {
      // one statement, so one read transaction: the row and its parts as one save left them
      long offset = 0;
      List<byte[]> parts = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT -1 AS part, offset, state FROM"
          + " checkpoints WHERE name = ?1 UNION ALL SELECT part, 0, bytes FROM checkpoint_parts"
          + " WHERE name = ?1 ORDER BY part")) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            if (rs.getLong(1) < 0) {
              offset = rs.getLong(2);
            } else if (parts.isEmpty()) {
              return null; // parts without their checkpoint: none was saved under this name
            }
            parts.add(rs.getBytes(3));
          }
        }
      }
      if (parts.isEmpty()) {
        return null;
      }
      return new Checkpoint(name, offset, parts);
    });
  }

  @Override
  public Future<Void> addDeadLetters(List<DeadLetterRow> rows) {
    return submit(new AddDeadLetters(rows));
  }

  @Override
  public Future<List<DeadLetterRow>> listDeadLetters(String destination, long afterId, int max) {
    return query(c -> selectDeadLetters(c, destination, afterId, max));
  }

  /** Dead letters with id greater than {@code afterId}, oldest first (also the read-only view's). */
  static List<DeadLetterRow> selectDeadLetters(Connection c, String destination, long afterId,
      int max) throws SQLException {
    String sql = "SELECT id, destination, endpoint, record, reason, created_at FROM dead_letters"
        + " WHERE id > ?" + (destination == null ? "" : " AND destination = ?")
        + " ORDER BY id LIMIT ?";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      ps.setLong(i++, afterId);
      if (destination != null) {
        ps.setString(i++, destination);
      }
      ps.setInt(i, max);
      List<DeadLetterRow> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new DeadLetterRow(rs.getLong(1), rs.getString(2), rs.getString(3),
              rs.getString(4), rs.getString(5), rs.getLong(6)));
        }
      }
      return out;
    }
  }

  @Override
  public Future<Integer> deleteDeadLetters(List<Long> ids) {
    return submit(new DeleteDeadLetters(ids));
  }

  @Override
  public Future<Void> close() {
    if (!closed.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    Reply<Void> promise = contextPromise();
    queue.add(new Close(promise));
    return promise.future();
  }

  // ---- the writer ----------------------------------------------------------------------------

  private <T> Future<T> submit(Task task) {
    if (closed.get()) {
      return Future.failedFuture("the intake log is closed");
    }
    @SuppressWarnings("unchecked")
    Reply<T> p = (Reply<T>) task.promise;
    queue.add(task);
    return p.future();
  }

  private void writeLoop() {
    List<Task> group = new ArrayList<>();
    while (true) {
      try {
        Task first = queue.take();
        group.add(first);
        if (commitDelayMicros > 0 && queue.isEmpty() && first instanceof Append) {
          Task more = queue.poll(commitDelayMicros, TimeUnit.MICROSECONDS);
          if (more != null) {
            group.add(more);
          }
        }
        int entries = 0;
        for (Task t : group) {
          entries += t.size();
        }
        while (entries < MAX_GROUP) {
          Task t = queue.poll();
          if (t == null) {
            break;
          }
          group.add(t);
          entries += t.size();
        }
        Close close = null;
        for (Task t : group) {
          if (t instanceof Close c) {
            close = c;
          }
        }
        runGroup(group);
        group.clear();
        if (close != null) {
          shutdown(close);
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void runGroup(List<Task> group) {
    long firstNew = lastOffset + 1;
    try {
      long now = clock.millis();
      for (Task t : group) {
        t.apply(this, now);
      }
      long ack = pendingAck;
      if (ack > persistedAck) {
        setMeta("acked_offset", ack);
        try (PreparedStatement ps = writeConn.prepareStatement(
            "DELETE FROM delivered_records WHERE offset <= ?")) {
          ps.setLong(1, ack);
          ps.executeUpdate();
        }
      }
      if (lastOffset >= firstNew) {
        setMeta("last_offset", lastOffset);
      }
      long deleted = deleteConsumed(ack, now);
      if (dedup != null) {
        dedup.expire(now);
      }
      writeConn.commit();
      if (dedup != null) {
        dedup.commit();
        dedupIdsSeen = dedup.ids();
        dedupForgotten = dedup.forgotten();
        dedupFilterBytes = dedup.filterBytes();
      }
      if (deleted > 0) {
        recent.dropUpTo(deleted);
        deletedBelow = deleted;
        lastDeleteAt = now;
      }
      if (ack > persistedAck) {
        persistedAck = ack;
      }
      writable = true;
      lastOffsetSeen = lastOffset;
      for (Task t : group) {
        t.done(this);
      }
    } catch (SQLException e) {
      try {
        writeConn.rollback();
      } catch (SQLException ignored) {
        // the rollback failure adds nothing to the first error
      }
      lastOffset = firstNew - 1;
      if (dedup != null) {
        try {
          dedup.rollback();
        } catch (SQLException again) {
          e.addSuppressed(again);
        }
      }
      writable = false;
      LOG.error("intake log write failed; {} request(s) answered with an error: {}", group.size(),
          e.getMessage());
      for (Task t : group) {
        t.promise.fail(e);
      }
    }
  }

  /**
   * Deletes rows no stage can need again (below the acknowledged offset and every checkpoint), in
   * the transaction being committed, so it costs no fsync of its own; at most once a second unless
   * a large backlog of consumed rows has built up. Returns the new floor, or 0 when nothing ran.
   */
  private long deleteConsumed(long ack, long now) throws SQLException {
    if (ack - deletedBelow < 1000 || (now - lastDeleteAt < 1000 && ack - deletedBelow < 50_000)) {
      return 0;
    }
    long floor = ack;
    try (Statement st = writeConn.createStatement();
         ResultSet rs = st.executeQuery("SELECT MIN(offset) FROM checkpoints")) {
      if (rs.next() && rs.getObject(1) != null) {
        floor = Math.min(floor, rs.getLong(1));
      }
    }
    if (floor <= deletedBelow) {
      return 0;
    }
    try (PreparedStatement ps = writeConn.prepareStatement("DELETE FROM messages WHERE offset <= ?")) {
      ps.setLong(1, floor);
      ps.executeUpdate();
    }
    return floor;
  }

  /**
   * The window's key of a message: the source, a zero byte, then the messageId, its trailing
   * canonical lowercase UUID (when it has one) packed into 16 bytes. Injective, so the check is
   * exact: two keys are equal only for equal (source, messageId).
   */
  static byte[] dedupKey(String source, String messageId) {
    byte[] src = source.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    int n = messageId.length();
    boolean uuid = n >= 36 && isCanonicalUuid(messageId, n - 36);
    byte[] id = (uuid ? messageId.substring(0, n - 36) : messageId)
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] key = new byte[src.length + 2 + id.length + (uuid ? 16 : 0)];
    System.arraycopy(src, 0, key, 0, src.length);
    key[src.length] = 0;
    key[src.length + 1] = (byte) (uuid ? 1 : 2);
    System.arraycopy(id, 0, key, src.length + 2, id.length);
    if (uuid) {
      int at = src.length + 2 + id.length;
      int nibble = 0;
      for (int i = n - 36; i < n; i++) {
        char c = messageId.charAt(i);
        if (c == '-') {
          continue;
        }
        int v = c <= '9' ? c - '0' : c - 'a' + 10;
        key[at + nibble / 2] |= (byte) (nibble % 2 == 0 ? v << 4 : v);
        nibble++;
      }
    }
    return key;
  }

  private static boolean isCanonicalUuid(String s, int from) {
    for (int i = 0; i < 36; i++) {
      char c = s.charAt(from + i);
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (c != '-') {
          return false;
        }
      } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  private void shutdown(Close close) {
    if (dedup != null) {
      dedup.close();
    }
    try {
      writeConn.close();
      readConn.close();
      close.promise.complete(null);
    } catch (SQLException e) {
      close.promise.fail(e);
    } finally {
      reader.shutdown();
      writer.shutdown();
    }
  }

  private long meta(String key) throws SQLException {
    try (PreparedStatement ps = writeConn.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  private long scalar(String sql) throws SQLException {
    try (Statement st = writeConn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  private void setMeta(String key, long value) throws SQLException {
    try (PreparedStatement ps = writeConn.prepareStatement("UPDATE meta SET value = ? WHERE key = ?")) {
      ps.setLong(1, value);
      ps.setString(2, key);
      ps.executeUpdate();
    }
  }

  private <T> Future<T> query(SqlFunction<T> fn) {
    Reply<T> promise = contextPromise();
    if (closed.get()) {
      return Future.failedFuture("the intake log is closed");
    }
    reader.execute(() -> {
      try {
        promise.complete(fn.apply(readConn));
      } catch (SQLException e) {
        promise.fail(e);
      }
    });
    return promise.future();
  }

  private <T> Reply<T> contextPromise() {
    return new Reply<>(vertx.getOrCreateContext());
  }

  /** A promise completed on the context of the caller that asked, whatever thread completes it. */
  private static final class Reply<T> {
    private final Context ctx;
    private final Promise<T> promise = Promise.promise();

    Reply(Context ctx) {
      this.ctx = ctx;
    }

    void complete(T value) {
      ctx.runOnContext(v -> promise.complete(value));
    }

    void fail(Throwable error) {
      ctx.runOnContext(v -> promise.fail(error));
    }

    Future<T> future() {
      return promise.future();
    }
  }

  @FunctionalInterface
  private interface SqlFunction<T> {
    T apply(Connection c) throws SQLException;
  }

  // ---- tasks ---------------------------------------------------------------------------------

  private abstract static class Task {
    @SuppressWarnings("rawtypes")
    final Reply promise;

    @SuppressWarnings("rawtypes")
    Task(Reply promise) {
      this.promise = promise;
    }

    int size() {
      return 1;
    }

    abstract void apply(SqliteIntakeLog log, long now) throws SQLException;

    abstract void done(SqliteIntakeLog log);
  }

  private final class Append extends Task {
    final List<LogEntry> entries;
    final java.util.BitSet duplicates = new java.util.BitSet();
    long last;
    long bytes;
    long appendedAt;
    int appended;

    Append(List<LogEntry> entries) {
      super(contextPromise());
      this.entries = entries;
    }

    @Override
    int size() {
      return entries.size();
    }

    @Override
    void apply(SqliteIntakeLog log, long now) throws SQLException {
      duplicates.clear();
      if (dedup != null) {
        // the check and the append are one transaction of the one writer: atomic
        List<byte[]> keys = new ArrayList<>(entries.size());
        long[] windows = new long[entries.size()];
        for (int i = 0; i < entries.size(); i++) {
          LogEntry e = entries.get(i);
          windows[i] = options.windowMillis(e.source());
          keys.add(e.messageId() == null || windows[i] <= 0 ? null
              : dedupKey(e.source(), e.messageId()));
        }
        duplicates.or(dedup.check(keys, windows, now));
      }
      appended = entries.size() - duplicates.cardinality();
      try (PreparedStatement ps = writeConn.prepareStatement("INSERT INTO messages VALUES (?, ?, ?, ?)")) {
        long b = 0;
        for (int i = 0; i < entries.size(); i++) {
          if (duplicates.get(i)) {
            continue;
          }
          LogEntry e = entries.get(i);
          ps.setLong(1, ++lastOffset);
          ps.setString(2, e.source());
          ps.setLong(3, now);
          ps.setBytes(4, e.json());
          ps.addBatch();
          b += e.json().length;
        }
        ps.executeBatch();
        last = lastOffset;
        bytes = b;
      }
      appendedAt = now;
    }

    @Override
    void done(SqliteIntakeLog log) {
      synchronized (log) {
        if (appended > 0) {
          backlog.add(new Chunk(last, appended, bytes, appendedAt));
        }
        // an acknowledgement can come between the commit and this (a reader of the disk, or of
        // stats().lastOffset()); it must not leave these messages counted as a backlog for good
        backlog.ackUpTo(pendingAck);
      }
      long offset = last - appended;
      for (int i = 0; i < entries.size(); i++) {
        if (duplicates.get(i)) {
          continue;
        }
        LogEntry e = entries.get(i);
        recent.add(new StoredMessage(++offset, e.source(), e.json(), appendedAt, e.parsed()));
      }
      promise.complete(last);
    }
  }

  private final class Flush extends Task {
    Flush() {
      super(contextPromise());
    }

    @Override
    void apply(SqliteIntakeLog log, long now) {
      // the acknowledged offset is written by runGroup
    }

    @Override
    void done(SqliteIntakeLog log) {
      promise.complete(null);
    }
  }

  private final class SaveCheckpoint extends Task {
    final Checkpoint cp;

    SaveCheckpoint(Checkpoint cp) {
      super(contextPromise());
      this.cp = cp;
    }

    @Override
    void apply(SqliteIntakeLog log, long now) throws SQLException {
      List<byte[]> parts = cp.parts();
      try (PreparedStatement ps = writeConn.prepareStatement("INSERT OR REPLACE INTO checkpoints VALUES (?, ?, ?, ?)")) {
        ps.setString(1, cp.name());
        ps.setLong(2, cp.offset());
        ps.setBytes(3, parts.get(0));
        ps.setLong(4, now);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = writeConn.prepareStatement("DELETE FROM checkpoint_parts WHERE name = ?")) {
        ps.setString(1, cp.name());
        ps.executeUpdate();
      }
      if (parts.size() > 1) {
        try (PreparedStatement ps = writeConn.prepareStatement("INSERT INTO checkpoint_parts VALUES (?, ?, ?)")) {
          for (int i = 1; i < parts.size(); i++) {
            ps.setString(1, cp.name());
            ps.setLong(2, i);
            ps.setBytes(3, parts.get(i));
            ps.addBatch();
          }
          ps.executeBatch();
        }
      }
    }

    @Override
    void done(SqliteIntakeLog log) {
      promise.complete(null);
    }
  }

  private final class RenameCheckpoint extends Task {
    final String from;
    final String to;
    boolean renamed;

    RenameCheckpoint(String from, String to) {
      super(contextPromise());
      this.from = from;
      this.to = to;
    }

    @Override
    void apply(SqliteIntakeLog log, long now) throws SQLException {
      try (PreparedStatement ps = writeConn.prepareStatement("SELECT 1 FROM checkpoints WHERE name = ?")) {
        ps.setString(1, from);
        try (ResultSet rs = ps.executeQuery()) {
          renamed = rs.next();
        }
      }
      if (!renamed) {
        return;
      }
      for (String sql : new String[] {"DELETE FROM checkpoints WHERE name = ?2",
          "DELETE FROM checkpoint_parts WHERE name = ?2",
          "UPDATE checkpoints SET name = ?2 WHERE name = ?1",
          "UPDATE checkpoint_parts SET name = ?2 WHERE name = ?1"}) {
        try (PreparedStatement ps = writeConn.prepareStatement(sql)) {
          ps.setString(1, from);
          ps.setString(2, to);
          ps.executeUpdate();
        }
      }
    }

    @Override
    void done(SqliteIntakeLog log) {
      promise.complete(renamed);
    }
  }

  private final class AddDeadLetters extends Task {
    final List<DeadLetterRow> rows;

    AddDeadLetters(List<DeadLetterRow> rows) {
      super(contextPromise());
      this.rows = rows;
    }

    @Override
    void apply(SqliteIntakeLog log, long now) throws SQLException {
      try (PreparedStatement ps = writeConn.prepareStatement(
          "INSERT INTO dead_letters (destination, endpoint, record, reason, created_at) VALUES (?, ?, ?, ?, ?)")) {
        for (DeadLetterRow r : rows) {
          ps.setString(1, r.destination());
          ps.setString(2, r.endpoint());
          ps.setString(3, r.record());
          ps.setString(4, r.reason());
          ps.setLong(5, r.createdAtMillis() > 0 ? r.createdAtMillis() : now);
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }

    @Override
    void done(SqliteIntakeLog log) {
      promise.complete(null);
    }
  }

  private final class MarkDelivered extends Task {
    final List<DeliveryMarks.Mark> marks;

    MarkDelivered(List<DeliveryMarks.Mark> marks) {
      super(contextPromise());
      this.marks = marks;
    }

    @Override
    int size() {
      return marks.size();
    }

    @Override
    void apply(SqliteIntakeLog log, long now) throws SQLException {
      try (PreparedStatement ps = writeConn.prepareStatement(
          "INSERT OR IGNORE INTO delivered_records VALUES (?, ?, ?)")) {
        for (DeliveryMarks.Mark m : marks) {
          ps.setLong(1, m.offset());
          ps.setString(2, m.destination());
          ps.setInt(3, m.index());
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }

    @Override
    void done(SqliteIntakeLog log) {
      promise.complete(null);
    }
  }

  private final class DeleteDeadLetters extends Task {
    final List<Long> ids;
    int deleted;

    DeleteDeadLetters(List<Long> ids) {
      super(contextPromise());
      this.ids = ids;
    }

    @Override
    void apply(SqliteIntakeLog log, long now) throws SQLException {
      try (PreparedStatement ps = writeConn.prepareStatement("DELETE FROM dead_letters WHERE id = ?")) {
        for (Long id : ids) {
          ps.setLong(1, id);
          ps.addBatch();
        }
        for (int n : ps.executeBatch()) {
          deleted += Math.max(n, 0);
        }
      }
    }

    @Override
    void done(SqliteIntakeLog log) {
      promise.complete(deleted);
    }
  }

  private static final class Close extends Task {
    Close(Reply<Void> promise) {
      super(promise);
    }

    @Override
    void apply(SqliteIntakeLog log, long now) {
      // closing happens after the group's commit
    }

    @Override
    void done(SqliteIntakeLog log) {
      // completed by shutdown()
    }
  }

  // ---- backlog accounting ------------------------------------------------------------------

  /** One group commit's worth of messages: up to which offset, how many, how big, when. */
  private record Chunk(long lastOffset, long messages, long bytes, long appendedAt) {}

  /** Unacknowledged chunks in offset order; guarded by the log's monitor. */
  private static final class Backlog {
    final ArrayDeque<Chunk> chunks = new ArrayDeque<>();
    long messages;
    long bytes;

    void add(Chunk c) {
      chunks.addLast(c);
      messages += c.messages();
      bytes += c.bytes();
    }

    void ackUpTo(long offset) {
      while (!chunks.isEmpty()) {
        Chunk c = chunks.peekFirst();
        long first = c.lastOffset() - c.messages() + 1;
        if (c.lastOffset() <= offset) {
          chunks.pollFirst();
          messages -= c.messages();
          bytes -= c.bytes();
        } else if (first <= offset) {
          long done = offset - first + 1;
          long doneBytes = c.bytes() * done / c.messages();
          chunks.pollFirst();
          chunks.addFirst(new Chunk(c.lastOffset(), c.messages() - done, c.bytes() - doneBytes, c.appendedAt()));
          messages -= done;
          bytes -= doneBytes;
          return;
        } else {
          return;
        }
      }
    }

    long oldest() {
      return chunks.isEmpty() ? 0 : chunks.peekFirst().appendedAt();
    }
  }
}

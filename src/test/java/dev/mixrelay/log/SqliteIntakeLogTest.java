package dev.mixrelay.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite intake log: ordering, durability across reopen, acknowledgement and capacity. */
class SqliteIntakeLogTest {
  @TempDir
  Path dir;
  final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    await(vertx.close());
  }

  private SqliteIntakeLog open(long maxBytes) {
    return SqliteIntakeLog.open(vertx, Clock.systemUTC(),
        new SqliteIntakeLog.Options(dir, true, maxBytes, 0));
  }

  private static List<LogEntry> entries(int from, int n) {
    List<LogEntry> out = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      out.add(new LogEntry("s", ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
    }
    return out;
  }

  @Test
  void concurrentAppendsGetIncreasingOffsetsAndReadBackInOrder() {
    SqliteIntakeLog log = open(1 << 30);
    List<Future<Long>> appends = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      appends.add(log.append(entries(i * 10, 10)));
    }
    appends.forEach(SqliteIntakeLogTest::await);
    List<StoredMessage> all = await(log.read(0, 10_000));
    assertThat(all).hasSize(500);
    for (int i = 1; i < all.size(); i++) {
      assertThat(all.get(i).offset()).isGreaterThan(all.get(i - 1).offset());
    }
    assertThat(log.stats().unackedMessages()).isEqualTo(500);
    await(log.close());
  }

  @Test
  void appendsOneCallerMakesWithoutWaitingAreStoredInTheOrderItMadeThem() {
    // the import relies on this: several appends outstanding, the log still in file order
    SqliteIntakeLog log = open(1 << 30);
    List<Future<Long>> appends = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      appends.add(log.append(entries(i * 5, 5)));
    }
    appends.forEach(SqliteIntakeLogTest::await);
    List<StoredMessage> all = await(log.read(0, 10_000));
    assertThat(all).hasSize(1000);
    for (int i = 0; i < all.size(); i++) {
      assertThat(new String(all.get(i).json(), StandardCharsets.UTF_8))
          .isEqualTo("{\"n\":" + i + "}");
    }
    for (int i = 1; i < appends.size(); i++) {
      assertThat(await(appends.get(i))).isEqualTo(await(appends.get(i - 1)) + 5);
    }
    await(log.close());
  }

  @Test
  void anAcknowledgementThatComesBeforeItsAppendIsCountedIsNotLost() {
    // the acknowledgement overtakes the backlog accounting of a just-committed append (here
    // deterministically: it comes first); the log must not stay over capacity for good
    SqliteIntakeLog log = open(100);
    await(log.acknowledge(10));
    await(log.append(entries(0, 10)));
    assertThat(log.stats().unackedMessages()).isZero();
    assertThat(log.stats().unackedBytes()).isZero();
    assertThat(log.overCapacity()).isFalse();
    await(log.close());
  }

  @Test
  void aReopenedLogResumesAfterTheAcknowledgedOffsetWithEveryMessageExactlyOnce() {
    SqliteIntakeLog log = open(1 << 30);
    await(log.append(entries(0, 3000)));
    List<StoredMessage> first = await(log.read(0, 1200));
    await(log.acknowledge(first.get(first.size() - 1).offset()));
    // no close(): the process dies here; a second open must see what was committed
    SqliteIntakeLog again = open(1 << 30);
    long acked = again.stats().acknowledgedOffset();
    assertThat(acked).isEqualTo(first.get(first.size() - 1).offset());
    List<StoredMessage> rest = await(again.read(acked, 10_000));
    assertThat(rest).hasSize(1800);
    assertThat(new String(rest.get(0).json(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":1200}");
    assertThat(again.stats().unackedMessages()).isEqualTo(1800);
    long next = await(again.append(entries(3000, 1)));
    assertThat(next).as("offsets are never reused").isEqualTo(3001);
    await(again.close());
  }

  @Test
  void aNewLogHas16KibPagesAndOneWith4KibPagesKeepsThemAndItsMessages() throws Exception {
    SqliteIntakeLog log = open(1 << 30);
    await(log.append(entries(0, 10)));
    await(log.close());
    assertThat(pageSize(dir)).isEqualTo(16384);

    // a log file made before 16 KiB pages: its page size is kept, its messages read as before
    Path old = dir.resolve("old");
    Files.createDirectories(old);
    try (var c = DriverManager.getConnection(
        "jdbc:sqlite:" + old.resolve("mixrelay.db").toAbsolutePath());
        var st = c.createStatement()) {
      st.execute("PRAGMA page_size=4096");
      st.execute("PRAGMA journal_mode=WAL");
      st.execute("CREATE TABLE messages (offset INTEGER PRIMARY KEY, source TEXT NOT NULL,"
          + " appended_at INTEGER NOT NULL, json BLOB NOT NULL)");
      st.execute("INSERT INTO messages VALUES (1, 's', 0, CAST('{\"n\":0}' AS BLOB))");
    }
    SqliteIntakeLog reopened = SqliteIntakeLog.open(vertx, Clock.systemUTC(),
        new SqliteIntakeLog.Options(old, true, 1 << 30, 0));
    await(reopened.append(entries(1, 1)));
    List<StoredMessage> all = await(reopened.read(0, 10));
    assertThat(all).extracting(m -> new String(m.json(), StandardCharsets.UTF_8))
        .containsExactly("{\"n\":0}", "{\"n\":1}");
    await(reopened.close());
    assertThat(pageSize(old)).isEqualTo(4096);
  }

  private static long pageSize(Path dir) throws Exception {
    try (var c = DriverManager.getConnection(
        "jdbc:sqlite:" + dir.resolve("mixrelay.db").toAbsolutePath());
        var st = c.createStatement(); var rs = st.executeQuery("PRAGMA page_size")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void acknowledgedRowsAreDeletedButOffsetsAreNeverReused() {
    SqliteIntakeLog log = open(1 << 30);
    long last = await(log.append(entries(0, 2500)));
    await(log.acknowledge(last));
    await(log.append(entries(0, 1)));
    assertThat(await(log.read(0, 10_000))).hasSize(1);
    await(log.close());
    SqliteIntakeLog again = open(1 << 30);
    assertThat(await(again.append(entries(0, 1)))).isEqualTo(last + 2);
    await(again.close());
  }

  @Test
  void checkpointsKeepTheirOffsetsReplayable() {
    SqliteIntakeLog log = open(1 << 30);
    long last = await(log.append(entries(0, 2500)));
    await(log.saveCheckpoint(new Checkpoint("sessions", 100, new byte[] {1, 2, 3})));
    await(log.acknowledge(last));
    await(log.append(entries(0, 1)));
    assertThat(await(log.read(100, 10_000))).hasSize(2401);
    Checkpoint cp = await(log.loadCheckpoint("sessions"));
    assertThat(cp.offset()).isEqualTo(100);
    assertThat(cp.state()).containsExactly(1, 2, 3);
    await(log.close());
  }

  @Test
  void aCheckpointInPartsComesBackInPartsAndASmallerOneReplacesThemAll() {
    SqliteIntakeLog log = open(1 << 30);
    byte[] a = new byte[300_000];
    byte[] b = new byte[262_144];
    byte[] c = {7, 8};
    new java.util.Random(3).nextBytes(a);
    new java.util.Random(4).nextBytes(b);
    await(log.saveCheckpoint(new Checkpoint("sessions:main", 40, List.of(a, b, c))));
    await(log.saveCheckpoint(new Checkpoint("profiles:main", 40, new byte[] {5})));
    Checkpoint cp = await(log.loadCheckpoint("sessions:main"));
    assertThat(cp.offset()).isEqualTo(40);
    assertThat(cp.parts()).hasSize(3);
    assertThat(cp.parts().get(0)).isEqualTo(a);
    assertThat(cp.parts().get(1)).isEqualTo(b);
    assertThat(cp.parts().get(2)).isEqualTo(c);
    assertThat(cp.size()).isEqualTo(a.length + b.length + 2);
    assertThat(await(log.loadCheckpoint("profiles:main")).state()).containsExactly(5);

    await(log.saveCheckpoint(new Checkpoint("sessions:main", 50, List.of(c, a))));
    assertThat(await(log.loadCheckpoint("sessions:main")).parts()).hasSize(2);
    await(log.saveCheckpoint(new Checkpoint("sessions:main", 60, new byte[] {1})));
    await(log.close());

    SqliteIntakeLog again = open(1 << 30);
    Checkpoint last = await(again.loadCheckpoint("sessions:main"));
    assertThat(last.offset()).isEqualTo(60);
    assertThat(last.parts()).singleElement().satisfies(p -> assertThat(p).containsExactly(1));
    assertThat(await(again.loadCheckpoint("nothing"))).isNull();
    await(again.close());
  }

  @Test
  void aStagedCheckpointIsPromotedWithItsPartsReplacingTheOldOne() {
    SqliteIntakeLog log = open(1 << 30);
    byte[] big = new byte[100_000];
    new java.util.Random(5).nextBytes(big);
    await(log.saveCheckpoint(new Checkpoint("sessions:main", 10, List.of(big, new byte[] {9},
        new byte[] {8}))));
    await(log.saveCheckpoint(new Checkpoint("staged:sessions:main", 20, List.of(new byte[] {1},
        big))));
    assertThat(await(log.loadCheckpoint("sessions:main")).offset()).isEqualTo(10);

    assertThat(await(log.renameCheckpoint("staged:sessions:main", "sessions:main"))).isTrue();
    Checkpoint cp = await(log.loadCheckpoint("sessions:main"));
    assertThat(cp.offset()).isEqualTo(20);
    assertThat(cp.parts()).hasSize(2);
    assertThat(cp.parts().get(0)).containsExactly(1);
    assertThat(cp.parts().get(1)).isEqualTo(big);
    assertThat(await(log.loadCheckpoint("staged:sessions:main"))).isNull();
    assertThat(await(log.renameCheckpoint("staged:sessions:main", "sessions:main"))).isFalse();
    assertThat(await(log.loadCheckpoint("sessions:main")).offset()).isEqualTo(20);
    await(log.close());
  }

  @Test
  void aCheckpointStreamReadsAcrossItsPartsAndCountsWhatIsLeft() throws Exception {
    Checkpoint cp = new Checkpoint("x", 1, List.of(new byte[] {1, 2, 3}, new byte[] {4},
        new byte[] {5, 6}));
    try (java.io.DataInputStream in = new java.io.DataInputStream(cp.stream())) {
      assertThat(in.available()).isEqualTo(6);
      assertThat(in.readShort()).isEqualTo((short) 0x0102);
      assertThat(in.available()).isEqualTo(4);
      assertThat(in.readInt()).isEqualTo(0x03040506);
      assertThat(in.available()).isZero();
      assertThat(in.read()).isEqualTo(-1);
    }
    assertThat(cp.state()).containsExactly(1, 2, 3, 4, 5, 6);
  }

  @Test
  void theLogIsOverCapacityWhenUnacknowledgedBytesPassTheLimit() {
    SqliteIntakeLog log = open(20_000);
    long last = await(log.append(entries(0, 1000)));
    assertThat(log.stats().unackedBytes()).isGreaterThan(8000);
    assertThat(log.overCapacity()).isFalse();
    await(log.append(entries(0, 2000)));
    assertThat(log.overCapacity()).isTrue();
    await(log.acknowledge(last + 2000));
    assertThat(log.overCapacity()).isFalse();
    assertThat(log.stats().unackedMessages()).isZero();
    await(log.close());
  }

  @Test
  void deadLettersAreStoredListedAndDeleted() {
    SqliteIntakeLog log = open(1 << 30);
    await(log.addDeadLetters(List.of(new DeadLetterRow(0, "main", "/import", "{}", "bad", 1),
        new DeadLetterRow(0, "other", "/engage", "{}", "worse", 2))));
    List<DeadLetterRow> main = await(log.listDeadLetters("main", 0, 10));
    assertThat(main).extracting(DeadLetterRow::reason).containsExactly("bad");
    assertThat(await(log.deleteDeadLetters(List.of(main.get(0).id())))).isEqualTo(1);
    assertThat(await(log.listDeadLetters(null, 0, 10))).extracting(DeadLetterRow::reason).containsExactly("worse");
    await(log.close());
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}

package dev.mixrelay.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mixrelay.config.ServerConfig;
import dev.mixrelay.ingest.IntakeListener;
import dev.mixrelay.ingest.MessageAdmission;
import dev.mixrelay.log.SqliteIntakeLog;
import dev.mixrelay.log.StoredMessage;
import dev.mixrelay.segment.SegmentJson;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The importer appends files straight to an intake log: in order, as intake admits, resumably. */
@Timeout(120)
class ImporterTest {
  private static final Duration LIMIT = Duration.ofSeconds(30);
  private static final ServerConfig SERVER =
      new ServerConfig(null, null, 1024, null, null, null, null, null);
  private static final ImportIntake.Pace UNPACED = new ImportIntake.Pace(Integer.MAX_VALUE,
      Long.MAX_VALUE);

  @TempDir
  Path dir;
  final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    Polling.await(vertx.close(), LIMIT);
  }

  @Test
  void appendsEveryFileInFileOrderWithSeveralAppendsOutstanding() throws Exception {
    Path lines = write("a.ndjson", tracks("a", 0, 2500));
    Path array = dir.resolve("b.json");
    Files.writeString(array, "[" + String.join(",", tracks("b", 0, 300)) + "]");
    SqliteIntakeLog log = open(1L << 30);

    Importer.Result r = importer(log, () -> Long.MAX_VALUE, UNPACED, 4)
        .run(List.of(lines, array), ImporterTest::quiet);

    assertThat(r.accepted()).isEqualTo(2800);
    assertThat(r.rejectedCount()).isZero();
    List<String> expected = new ArrayList<>(ids("a", 0, 2500));
    expected.addAll(ids("b", 0, 300));
    assertThat(messageIds(log)).containsExactlyElementsOf(expected);
  }

  @Test
  void countsEachRejectionUnderItsReasonAndAppendsTheRestInOrder() throws Exception {
    List<String> file = new ArrayList<>(tracks("r", 0, 5));
    file.add(1, "{\"type\":\"shout\",\"userId\":\"u\"}");
    file.add(2, "{\"type\":\"yell\",\"userId\":\"u\"}");
    file.add(3, "{\"userId\":\"u\",\"event\":\"No Type\"}");
    file.add(4, "{\"type\":\"track\",\"userId\":\"u\"}");
    file.add(5, "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\"} {\"type\":\"page\"}");
    file.add(6, "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\",\"p\":"
        + "[".repeat(70) + "]".repeat(70) + "}");
    file.add(7, "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\",\"p\":\""
        + "x".repeat(2000) + "\"}");
    file.add(8, "[{\"type\":\"track\"}]");
    file.add(9, "{\"type\":\"track\",\"event\":\"E\",\"timestamp\":\"yesterday\","
        + "\"userId\":\"u\"}");
    SqliteIntakeLog log = open(1L << 30);

    Importer.Result r = importer(log, () -> Long.MAX_VALUE, UNPACED, 2)
        .run(List.of(write("mixed.ndjson", file)), ImporterTest::quiet);

    assertThat(r.total()).isEqualTo(14);
    assertThat(r.accepted()).isEqualTo(5);
    assertThat(r.rejected()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "type: unknown type", 2L,
        "type: is required in a batch item", 1L,
        "event: is required for track", 1L,
        "message: malformed JSON", 1L,
        "message: is nested deeper than 64 levels or has an oversized value", 1L,
        "message: is larger than 1024 bytes", 1L,
        "message: must be a JSON object on one line", 1L,
        "timestamp: is not an ISO-8601 date-time", 1L));
    assertThat(messageIds(log)).containsExactlyElementsOf(ids("r", 0, 5));
  }

  @Test
  void waitsWhileTheLogIsOverCapacityAndGoesOnOnceDeliveryCatchesUp() throws Exception {
    SqliteIntakeLog log = open(10_000);
    // "delivery": everything appended is acknowledged a little later
    vertx.setPeriodic(20, t -> log.acknowledge(log.stats().lastOffset()));

    Importer.Result r = importer(log, () -> Long.MAX_VALUE, UNPACED, 2)
        .run(List.of(write("big.ndjson", tracks("p", 0, 1000))), ImporterTest::quiet);

    assertThat(r.accepted()).isEqualTo(1000);
    assertThat(r.waited()).isPositive();
    assertThat(log.stats().lastOffset()).isEqualTo(1000);
  }

  @Test
  void neverRunsFurtherAheadOfThePipelineThanItsPace() throws Exception {
    SqliteIntakeLog log = open(1L << 30);
    AtomicLong read = new AtomicLong();
    AtomicLong mostAhead = new AtomicLong();
    // "a slow pipeline": reads at most 50 of the committed messages every few milliseconds
    vertx.setPeriodic(5, t -> {
      long last = log.stats().lastOffset();
      mostAhead.accumulateAndGet(last - read.get(), Math::max);
      read.set(Math.min(last, read.get() + 50));
    });

    Importer.Result r = importer(log, read::get, new ImportIntake.Pace(300, 1L << 20), 4)
        .run(List.of(write("paced.ndjson", tracks("q", 0, 3000))), ImporterTest::quiet);

    assertThat(r.accepted()).isEqualTo(3000);
    assertThat(mostAhead.get()).isBetween(100L, 300L);
    assertThat(messageIds(log)).containsExactlyElementsOf(ids("q", 0, 3000));
  }

  @Test
  void anImportCutShortWhenTheLogClosesResumesWithoutLosingAMessage() throws Exception {
    Path file = write("cut.ndjson", tracks("c", 0, 3000));
    SqliteIntakeLog first = open(1L << 30);
    // the relay stops (Ctrl-C) while appends are outstanding
    LongSupplier stopAt1000 = () -> {
      if (first.stats().lastOffset() >= 1000) {
        first.close();
      }
      return Long.MAX_VALUE;
    };
    assertThatThrownBy(() -> importer(first, stopAt1000, UNPACED, 4).run(List.of(file),
        ImporterTest::quiet)).hasMessageContaining("closed");
    long recorded = ImportProgress.load(dir).done(ImportProgress.key(file));
    assertThat(recorded).isBetween(1000L, 2900L);

    SqliteIntakeLog second = open(1L << 30);
    Importer.Result r = importer(second, () -> Long.MAX_VALUE, UNPACED, 4).run(List.of(file),
        ImporterTest::quiet);

    assertThat(r.skipped()).isEqualTo(recorded);
    assertThat(r.sent()).isEqualTo(3000 - recorded);
    List<String> inLog = messageIds(second);
    assertThat(new HashSet<>(inLog)).containsExactlyInAnyOrderElementsOf(ids("c", 0, 3000));
    // at most the appends that were outstanding when it stopped went in twice
    assertThat(inLog.size() - 3000).isBetween(0, 4 * 100);
  }

  private Importer importer(SqliteIntakeLog log, LongSupplier readUpTo, ImportIntake.Pace pace,
      int parallel) throws IOException {
    ImportIntake intake = new ImportIntake(vertx, log, new MessageAdmission(SERVER),
        IntakeListener.NOOP, "src", Clock.systemUTC(), readUpTo, pace);
    return new Importer(intake, ImportProgress.load(dir), new Importer.Settings(100, parallel, 0));
  }

  private SqliteIntakeLog open(long maxBytes) {
    return SqliteIntakeLog.open(vertx, Clock.systemUTC(),
        new SqliteIntakeLog.Options(dir.resolve("log"), false, maxBytes, 0));
  }

  private static ProgressLine quiet(long total, long done, long start) {
    return new ProgressLine(new PrintStream(OutputStream.nullOutputStream()), false, total, done,
        start);
  }

  private Path write(String name, List<String> lines) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, String.join("\n", lines) + "\n");
    return f;
  }

  private static List<String> messageIds(SqliteIntakeLog log) throws Exception {
    List<String> ids = new ArrayList<>();
    for (StoredMessage m : Polling.await(log.read(0, 100_000), LIMIT)) {
      JsonNode n = SegmentJson.MAPPER.readTree(m.json());
      ids.add(n.get("messageId").asText());
    }
    return ids;
  }

  private static List<String> tracks(String prefix, int from, int n) {
    List<String> out = new ArrayList<>();
    for (String id : ids(prefix, from, n)) {
      out.add("{\"type\":\"track\",\"event\":\"Viewed\",\"userId\":\"u-" + id
          + "\",\"messageId\":\"" + id + "\"}");
    }
    return out;
  }

  private static List<String> ids(String prefix, int from, int n) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      out.add(prefix + "-" + i);
    }
    return out;
  }
}

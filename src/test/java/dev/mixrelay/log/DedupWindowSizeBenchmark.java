package dev.mixrelay.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.demo.ManualClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the messageId window costs per million ids, with the ids arriving at a steady rate over
 * one 24 h window (a manual clock): disk (the bucket tables, measured as the database's growth
 * over the same messages without the window), heap (the buckets' filters) and the time a restart
 * takes to rebuild the filters from the tables. {@code -Dbench.ids=10000000} for ten million.
 */
@Tag("bench")
class DedupWindowSizeBenchmark {
  private static final long DAY = 24 * 3600_000L;
  private static final int BATCH = 5000;
  @TempDir
  Path dir;

  @Test
  void diskHeapAndRebuildPerMillionIds() throws Exception {
    int ids = Integer.getInteger("bench.ids", 1_000_000);
    Filled with = fill(dir.resolve("with"), ids, DAY);
    Filled without = fill(dir.resolve("without"), ids, 0);
    double perId = (with.bytes - without.bytes) / (double) ids;
    double heapPerId = with.filterBytes / (double) ids;
    String report = String.format("dedup window: %d ids (\"ajs-next-\" + UUID) over 24 h,"
        + " %.1f bytes of disk per id = %.0f MB per million ids (log with the window %d MB,"
        + " without %d MB); filters %.2f bytes of heap per id = %.2f MB per million ids;"
        + " reopening rebuilt the filters in %d ms (%.0f ms per million ids)%n", ids, perId, perId,
        with.bytes >> 20, without.bytes >> 20, heapPerId, heapPerId, with.reopenMillis,
        with.reopenMillis * 1e6 / ids);
    System.out.print(report);
    Files.createDirectories(Path.of("target/bench"));
    Files.writeString(Path.of("target/bench/dedup-size.txt"), report);
    assertThat(perId).isPositive();
    assertThat(with.idsAfterReopen).isEqualTo(with.ids);
  }

  record Filled(long bytes, long filterBytes, long ids, long idsAfterReopen, long reopenMillis) {}

  private static Filled fill(Path dir, int ids, long window) throws Exception {
    Vertx vertx = Vertx.vertx();
    ManualClock clock = new ManualClock(Instant.parse("2026-12-01T00:00:00Z"));
    SqliteIntakeLog.Options options =
        new SqliteIntakeLog.Options(dir, false, Long.MAX_VALUE, 0, window, Long.MAX_VALUE);
    SqliteIntakeLog log = SqliteIntakeLog.open(vertx, clock, options);
    byte[] json = "{}".getBytes(StandardCharsets.UTF_8);
    // just under a window from the first id to the last, so none has expired at the end
    Duration step = Duration.ofMillis((DAY - 60_000) / Math.max(1, ids / BATCH));
    for (int i = 0; i < ids; i += BATCH) {
      List<LogEntry> batch = new ArrayList<>(BATCH);
      for (int j = 0; j < BATCH; j++) {
        batch.add(new LogEntry("web", json, null, "ajs-next-" + UUID.randomUUID()));
      }
      await(log.appendOnce(batch));
      clock.advance(step);
    }
    long filterBytes = log.dedupFilterBytes();
    long held = log.dedupIds();
    await(log.close());
    long bytes = 0;
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        if (f.getFileName().toString().startsWith("mixrelay.db")) {
          bytes += Files.size(f);
        }
      }
    }
    long t0 = System.nanoTime();
    SqliteIntakeLog reopened = SqliteIntakeLog.open(vertx, clock, options);
    long openMillis = (System.nanoTime() - t0) / 1_000_000;
    while (!reopened.dedupFiltersReady()) {
      Thread.sleep(10);
    }
    long reopenMillis = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf("reopen: intake open after %d ms, filters rebuilt after %d ms%n", openMillis,
        reopenMillis);
    long heldAfter = reopened.dedupIds();
    await(reopened.close());
    await(vertx.close());
    return new Filled(bytes, filterBytes, held, heldAfter, reopenMillis);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(300, TimeUnit.SECONDS);
  }
}

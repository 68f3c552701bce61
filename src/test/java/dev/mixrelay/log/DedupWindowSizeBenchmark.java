package dev.mixrelay.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the messageId window costs per million ids: disk (the {@code dedup_ids} table and its
 * expiry index, measured as the database's growth over the same messages without the window) and
 * heap (none per id: the window is on disk).
 */
@Tag("bench")
class DedupWindowSizeBenchmark {
  @TempDir
  Path dir;

  @Test
  void diskAndHeapPerMillionIds() throws Exception {
    int ids = Integer.getInteger("bench.ids", 1_000_000);
    long with = fill(dir.resolve("with"), ids, 24L * 3600_000);
    long without = fill(dir.resolve("without"), ids, 0);
    double perId = (with - without) / (double) ids;
    String report = String.format("dedup window: %d ids (\"ajs-next-\" + UUID), %.1f bytes of disk"
        + " per id = %.0f MB per million ids (log with the window %d MB, without %d MB)%n", ids,
        perId, perId, with >> 20, without >> 20);
    System.out.print(report);
    Files.createDirectories(Path.of("target/bench"));
    Files.writeString(Path.of("target/bench/dedup-size.txt"), report);
    assertThat(perId).isPositive();
  }

  private static long fill(Path dir, int ids, long window) throws Exception {
    Vertx vertx = Vertx.vertx();
    SqliteIntakeLog log = SqliteIntakeLog.open(vertx, Clock.systemUTC(),
        new SqliteIntakeLog.Options(dir, false, Long.MAX_VALUE, 0, window, Long.MAX_VALUE));
    byte[] json = "{}".getBytes(StandardCharsets.UTF_8);
    List<Future<?>> pending = new ArrayList<>();
    for (int i = 0; i < ids; i += 5000) {
      List<LogEntry> batch = new ArrayList<>(5000);
      for (int j = 0; j < 5000; j++) {
        batch.add(new LogEntry("web", json, null, "ajs-next-" + UUID.randomUUID()));
      }
      pending.add(log.appendOnce(batch));
      if (pending.size() >= 8) {
        Future.all(pending).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        pending.clear();
      }
    }
    Future.all(pending).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    log.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    long bytes = 0;
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        if (f.getFileName().toString().startsWith("mixrelay.db")) {
          bytes += Files.size(f);
        }
      }
    }
    return bytes;
  }
}

package dev.mixrelay.log;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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
 * The log writer's CPU per appended message with the messageId window off and on, alone (no
 * HTTP): batches of 100 messages of 600 bytes with "ajs-next-" + UUID ids, as analytics.js sends,
 * eight appends outstanding, fsync on; windows off and on alternate. A report:
 * {@code mvn -B -Pbench verify -Dtest=DedupAppendBenchmark} ({@code -Dbench.ids=1000000}).
 */
@Tag("bench")
class DedupAppendBenchmark {
  @TempDir
  Path dir;

  @Test
  void writerCpuPerMessageWithTheWindowOffAndOn() throws Exception {
    int ids = Integer.getInteger("bench.ids", 1_000_000);
    StringBuilder report = new StringBuilder(String.format(
        "log writer, %d messages of 600 bytes in appends of 100, fsync on:%n", ids));
    run(dir.resolve("jit"), ids / 4, false);
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 2; i++) {
        boolean on = (round + i) % 2 == 1;
        double[] r = run(dir.resolve(round + "-" + on), ids, on);
        report.append(String.format("  window %s: %.1f us writer CPU per message, %.0f messages/s%n",
            on ? "on " : "off", r[0], r[1]));
      }
    }
    System.out.print(report);
    Files.createDirectories(Path.of("target/bench"));
    Files.writeString(Path.of("target/bench/dedup-append.txt"), report);
  }

  private static double[] run(Path dir, int ids, boolean window) throws Exception {
    Vertx vertx = Vertx.vertx();
    SqliteIntakeLog log = SqliteIntakeLog.open(vertx, Clock.systemUTC(), new SqliteIntakeLog.Options(
        dir, true, Long.MAX_VALUE, 0, window ? 24 * 3600_000L : 0, Long.MAX_VALUE));
    byte[] json = "x".repeat(600).getBytes(StandardCharsets.UTF_8);
    long cpu0 = writerCpu();
    long t0 = System.nanoTime();
    List<Future<?>> pending = new ArrayList<>();
    for (int i = 0; i < ids; i += 100) {
      List<LogEntry> batch = new ArrayList<>(100);
      for (int j = 0; j < 100; j++) {
        batch.add(new LogEntry("web", json, null, "ajs-next-" + UUID.randomUUID()));
      }
      pending.add(log.appendOnce(batch));
      if (pending.size() >= 8) {
        Future.all(pending).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        pending.clear();
        log.acknowledge(i);
      }
    }
    Future.all(pending).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - t0) / 1e9;
    double micros = (writerCpu() - cpu0) / 1e3 / ids;
    log.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    return new double[] {micros, ids / seconds};
  }

  private static long writerCpu() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().equals("mixrelay-log-writer")) {
        sum += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
      }
    }
    return sum;
  }
}

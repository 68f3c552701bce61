package dev.mixrelay.translate.bench;

import dev.mixrelay.translate.Translation;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * A contention-proof companion to {@link TranslatorBenchmark}: translates the same messages in
 * one thread and divides by that thread's CPU time, so the figure is messages/s per core even on
 * a shared, busy machine. Prints wall-clock throughput too. Arguments: seconds to measure
 * (default 10) and the message pool (default 128, see {@link TranslatorBenchmark}).
 */
public final class TranslatorThroughput {
  private TranslatorThroughput() {}

  public static void main(String[] args) throws Exception {
    long seconds = args.length > 0 ? Long.parseLong(args[0]) : 10;
    TranslatorBenchmark bench = new TranslatorBenchmark();
    bench.pool = args.length > 1 ? Integer.parseInt(args[1]) : 128;
    bench.setUp();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    run(bench, threads, Math.max(10, seconds), "warm-up");
    run(bench, threads, seconds, "measured, pool " + bench.pool);
  }

  private static void run(TranslatorBenchmark bench, ThreadMXBean threads, long seconds,
      String label) {
    long cpu0 = threads.getCurrentThreadCpuTime();
    long wall0 = System.nanoTime();
    long n = 0;
    int sink = 0;
    while (System.nanoTime() - wall0 < seconds * 1_000_000_000L) {
      for (int i = 0; i < 1_000; i++) {
        sink += ((Translation.Translated) bench.translateAnAnalyticsJsTrack()).records().size();
      }
      n += 1_000;
    }
    double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
    double wall = (System.nanoTime() - wall0) / 1e9;
    System.out.printf("%s: %,d messages, %,.0f msg/s per CPU-second (one core), "
        + "%,.0f msg/s wall clock (%d)%n", label, n, n / cpu, n / wall, sink & 1);
  }
}

package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Intake throughput: {@code /v1/batch} with 100 realistic events per request over loopback, the
 * log's fsync on, with the messageId window off ({@code dedup.window: 0s}) and on (the default),
 * alternating in one run so both see the same machine load. Besides the wall rate it reports CPU
 * time per message: the whole process's (load generator included, the same in both) and the log
 * writer thread's, where the window's check runs. A report, not a timed test:
 * {@code mvn -B -Pbench verify -Dtest=IntakeBenchmark} (seconds per phase via
 * {@code -Dbench.seconds=20}, concurrent requests via {@code -Dbench.concurrency=32}, rounds via
 * {@code -Dbench.rounds=2}; the order alternates, after an uncounted warm-up).
 */
@Tag("bench")
class IntakeBenchmark {
  @TempDir
  Path dir;

  /** One phase's figures. */
  record Phase(double eventsPerSecond, double cpuMicrosPerEvent, double writerMicrosPerEvent,
      long failed) {}

  @Test
  void intakeThroughputWithFsync() throws Exception {
    int seconds = Integer.getInteger("bench.seconds", 15);
    int concurrency = Integer.getInteger("bench.concurrency", 32);
    int rounds = Integer.getInteger("bench.rounds", 2);
    boolean pipeline = Boolean.getBoolean("bench.pipeline");
    StringBuilder report = new StringBuilder();
    double[] rate = new double[2];
    double[] cpu = new double[2];
    double[] writer = new double[2];
    phase(dir.resolve("jit"), true, 5, concurrency, pipeline); // warms the JIT up, not counted
    for (int round = 0; round < rounds; round++) {
      for (int i = 0; i < 2; i++) {
        int on = (round + i) % 2; // off first, then on first, and so on
        Phase p = phase(dir.resolve("r" + round + "-" + on), on == 1, seconds, concurrency, pipeline);
        assertThat(p.failed()).isZero();
        rate[on] += p.eventsPerSecond() / rounds;
        cpu[on] += p.cpuMicrosPerEvent() / rounds;
        writer[on] += p.writerMicrosPerEvent() / rounds;
        report.append(String.format("  round %d, window %s: %.0f events/s, %.1f us CPU/event"
            + " (log writer %.1f us)%n", round + 1, on == 1 ? "on " : "off", p.eventsPerSecond(),
            p.cpuMicrosPerEvent(), p.writerMicrosPerEvent()));
      }
    }
    report.insert(0, String.format("intake /v1/batch, 100 events/request, fsync=batch, %d concurrent,"
        + " %ds per phase, %d rounds (pipeline %s)%n", concurrency, seconds, rounds,
        pipeline ? "on" : "off"));
    report.append(String.format("  mean: window off %.0f events/s, %.1f us CPU/event (writer %.1f);"
        + " window on %.0f events/s, %.1f us CPU/event (writer %.1f); rate %+.1f %%, CPU %+.1f %%%n",
        rate[0], cpu[0], writer[0], rate[1], cpu[1], writer[1], 100 * (rate[1] / rate[0] - 1),
        100 * (cpu[1] / cpu[0] - 1)));
    System.out.print(report);
    Files.createDirectories(Path.of("target/bench"));
    Files.writeString(Path.of("target/bench/intake.txt"), report);
  }

  private static Phase phase(Path dir, boolean window, int seconds, int concurrency,
      boolean pipeline) throws Exception {
    var config = RelayFixture.baseYaml(dir, window ? "" : "dedup: { window: 0s }",
        "http://127.0.0.1:1");
    Vertx vertx = Vertx.vertx();
    Relay relay = RelayFixture.await(Relay.start(vertx, config, Clock.systemUTC(),
        r -> new RelayFixture.RecordingDelivery(), pipeline));
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    IntakeLoad.Result measured;
    long cpu;
    long writerCpu;
    try (IntakeLoad load = new IntakeLoad(relay.port(), RelayFixture.WRITE_KEY, concurrency)) {
      load.run(Duration.ofSeconds(3), Long.MAX_VALUE); // warm-up
      long cpu0 = os.getProcessCpuTime();
      long writer0 = writerCpu();
      measured = load.run(Duration.ofSeconds(seconds), Long.MAX_VALUE);
      cpu = os.getProcessCpuTime() - cpu0;
      writerCpu = writerCpu() - writer0;
    }
    RelayFixture.await(relay.stop(Duration.ofSeconds(5)));
    RelayFixture.await(vertx.close());
    double events = measured.ok() * (double) IntakeLoad.EVENTS_PER_REQUEST;
    return new Phase(measured.eventsPerSecond(), cpu / 1e3 / events, writerCpu / 1e3 / events,
        measured.failed());
  }

  /** CPU nanoseconds of the live log writer threads (one per relay). */
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

package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.config.ConfigLoader;
import dev.mixrelay.config.RelayConfig;
import io.micrometer.core.instrument.DistributionSummary;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole relay as users run it, beside a bare Vert.x server, on the same load in one run. A
 * separate JVM ({@link LoadDriver}) posts {@code /v1/batch} bodies of 100 analytics.js track calls
 * over loopback on N keep-alive connections and stands in for Mixpanel (200 at once); this JVM
 * runs the relay (embedded engine, SQLite log with fsync, translation, sessions, gzip delivery)
 * and measures it: its CPU µs per event over the load and the drain of the log (split by stage,
 * see {@link CpuSplit}), events/s offered (accepted by intake during the load) and sustained
 * (events over load + drain), the log's depth over the run, and records per {@code /import}.
 * First a bare Vert.x server that only reads the bodies takes the same load, then the relay is
 * warmed up (10 s phases, each drained, until the JIT's share of the CPU is under 10%, at most
 * {@code bench.warmup} seconds), then measured. A report, not a timed test:
 * {@code mvn -B -o -Pbench test -Dtest=WholeRelayBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 * ({@code -Dbench.seconds=20 -Dbench.warmup=120 -Dbench.connections=32}); the report is also in
 * {@code target/bench/whole-relay.txt} and the JFR recording of the measured phase in
 * {@code target/bench/whole-relay.jfr} ({@code jfr print --events jdk.ExecutionSample}).
 */
@Tag("bench")
class WholeRelayBenchmark {
  @TempDir
  Path dir;

  @Test
  void cpuPerEventAndSustainedEventsPerSecondBesideABareServer() throws Exception {
    int seconds = Integer.getInteger("bench.seconds", 20);
    int warmup = Integer.getInteger("bench.warmup", 120);
    int connections = Integer.getInteger("bench.connections", 32);
    Files.createDirectories(Path.of("target/bench"));
    // the first JFR recording of a JVM makes HotSpot drop its compiled code (it needs class
    // retransformation): start one now, so that the measured phase's is not the first
    try (Recording first = new Recording()) {
      first.start();
      first.stop();
    }
    StringBuilder report = new StringBuilder(String.format(Locale.ROOT, "whole relay benchmark:"
        + " /v1/batch of %d track calls, %d connections, %d s load (after %d s warm-up),"
        + " %d cores, load average at start %s%n", IntakeLoad.EVENTS_PER_REQUEST, connections,
        seconds, warmup, Runtime.getRuntime().availableProcessors(), loadAverage()));
    try (Driver driver = new Driver(dir.resolve("driver.out"))) {
      Bare bare = bareServer(driver, connections, seconds, warmup);
      report.append(String.format(Locale.ROOT, "  bare Vert.x server (reads the bodies): %,.0f"
          + " events/s, %.2f µs CPU/event (this JVM); the load generator %.2f µs CPU/event%n",
          bare.eventsPerSecond, bare.cpuMicros, bare.loadCpuMicros));
      relay(driver, connections, seconds, warmup, bare, report);
    }
    report.append("  load average at end ").append(loadAverage()).append('\n');
    System.out.print(report);
    Files.writeString(Path.of("target/bench/whole-relay.txt"), report);
  }

  private record Bare(double eventsPerSecond, double cpuMicros, double loadCpuMicros) {}

  /** The same load against a server that only reads each body and answers 200. */
  private Bare bareServer(Driver driver, int connections, int seconds, int warmup)
      throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      int port = RelayProcess.freePort();
      int instances = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
      RelayFixture.await(vertx.deployVerticle(() -> new VerticleBase() {
        @Override
        public Future<?> start() {
          return vertx.createHttpServer().requestHandler(req -> req.body().onComplete(
              b -> req.response().end("{\"success\":true}"))).listen(port, "127.0.0.1");
        }
      }, new DeploymentOptions().setInstances(instances)));
      driver.load(port, connections, 10);
      var os = (com.sun.management.OperatingSystemMXBean)
          java.lang.management.ManagementFactory.getOperatingSystemMXBean();
      long cpu0 = os.getProcessCpuTime();
      long[] r = driver.load(port, connections, seconds);
      long cpu = os.getProcessCpuTime() - cpu0;
      long events = r[0] * IntakeLoad.EVENTS_PER_REQUEST;
      return new Bare(events / (r[2] / 1e9), cpu / 1e3 / events, r[3] / 1e3 / events);
    } finally {
      RelayFixture.await(vertx.close());
    }
  }

  private void relay(Driver driver, int connections, int seconds, int warmup, Bare bare,
      StringBuilder report) throws Exception {
    RelayConfig config = ConfigLoader.parse("""
        server: { host: 127.0.0.1, port: 0 }
        storage: { dir: "%s", fsync: batch }
        sources: [ { writeKey: %s, destination: main } ]
        destinations:
          main:
            token: bench-token
            apiSecret: bench-secret
            apiHost: "http://127.0.0.1:%d"
            settings: { people: true, setAllTraitsByDefault: true, identityMerge: simplified }
            sessions: { mode: timeout, timeout: 30m, timezone: UTC }
        logging: { level: WARN }
        """.formatted(dir.resolve("relay").toString().replace("\\", "/"), RelayFixture.WRITE_KEY,
        driver.standInPort), Map.of(), "bench");
    Vertx vertx = Vertx.vertx();
    Relay relay = RelayFixture.await(Relay.start(vertx, config, Clock.systemUTC()));
    try {
      warmUp(driver, relay, connections, warmup, report);
      DistributionSummary perImport = relay.metrics().registry()
          .find("mixrelay_mixpanel_records_per_request").tag("endpoint", "/import").summary();
      long imports0 = perImport == null ? 0 : perImport.count();
      double records0 = perImport == null ? 0 : perImport.totalAmount();
      long[] standIn0 = driver.counts();
      CpuSplit split = new CpuSplit();
      long t0 = System.nanoTime();
      List<long[]> depth = new ArrayList<>(); // {millis since start, unacked messages}
      Future<long[]> load = driver.loadAsync(relay.port(), connections, seconds);
      while (!load.isComplete()) {
        depth.add(new long[] {(System.nanoTime() - t0) / 1_000_000,
            relay.log().stats().unackedMessages()});
        Thread.sleep(250); // the test thread samples; the relay runs on its own threads
      }
      long loadNanos = System.nanoTime() - t0;
      long[] r = RelayFixture.await(load);
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (relay.log().stats().unackedMessages() > 0 && System.nanoTime() < deadline) {
        depth.add(new long[] {(System.nanoTime() - t0) / 1_000_000,
            relay.log().stats().unackedMessages()});
        Thread.sleep(50);
      }
      long totalNanos = System.nanoTime() - t0;
      CpuSplit.Result cpu = split.stop(Path.of("target/bench/whole-relay.jfr").toAbsolutePath());
      long[] standIn = driver.counts();
      perImport = relay.metrics().registry()
          .find("mixrelay_mixpanel_records_per_request").tag("endpoint", "/import").summary();
      long imports = perImport == null ? 0 : perImport.count() - imports0;
      double records = perImport == null ? 0 : perImport.totalAmount() - records0;
      long events = r[0] * IntakeLoad.EVENTS_PER_REQUEST;
      double cpuMicros = cpu.processCpuNanos() / 1e3 / events;
      double sustained = events / (totalNanos / 1e9);
      report.append(String.format(Locale.ROOT, "  relay: %.2f µs CPU/event over the load and the"
          + " drain (%.1f CPU s for %,d events; %.2f cores busy)%n", cpuMicros,
          cpu.processCpuNanos() / 1e9, events, cpu.processCpuNanos() / (double) totalNanos));
      long jit = cpu.nanosByStage().getOrDefault("jvm: jit compilers", 0L);
      report.append(String.format(Locale.ROOT, "    without the JIT compilers (warm-up left"
          + " over): %.2f µs CPU/event%n", (cpu.processCpuNanos() - jit) / 1e3 / events));
      report.append(String.format(Locale.ROOT, "    events/s offered (accepted during the load):"
          + " %,.0f; sustained (load %.1f s + drain %.1f s): %,.0f; requests failed %d; the load"
          + " generator %.2f µs CPU/event%n", events / (r[2] / 1e9), loadNanos / 1e9,
          (totalNanos - loadNanos) / 1e9, sustained, r[1], r[3] / 1e3 / events));
      report.append(String.format(Locale.ROOT, "    bare Vert.x / relay: %.1f x the events/s,"
          + " %.1f x less CPU per event; relay at %.1f%% of the bare server's events/s%n",
          bare.eventsPerSecond / sustained, cpuMicros / bare.cpuMicros,
          100 * sustained / bare.eventsPerSecond));
      report.append(String.format(Locale.ROOT, "    /import requests %,d, %.0f records each;"
          + " stand-in saw %,d requests, %,d body bytes%n", imports,
          imports == 0 ? 0 : records / imports, standIn[0] - standIn0[0], standIn[1] - standIn0[1]));
      report.append("    log depth (unacknowledged messages) over the run, s:depth: ")
          .append(depthLine(depth)).append('\n');
      report.append("    CPU by stage (thread CPU shared by JFR samples, ")
          .append(cpu.samples()).append(" samples):\n").append(CpuSplit.perEvent(
              cpu.nanosByStage(), events));
      report.append("    CPU by thread:\n")
          .append(CpuSplit.perEvent(cpu.nanosByThreadGroup(), events));
      report.append("    jit: ").append(cpu.jit()).append('\n');
      report.append("    top leaf packages (samples): ").append(cpu.leafPackages()).append('\n');
      report.append("    top leaf frames (samples):\n");
      cpu.leafFrames().forEach((frame, n) -> report.append("      ").append(n).append("  ")
          .append(frame).append('\n'));
      assertThat(r[1]).isZero();
      assertThat(relay.log().stats().unackedMessages()).isZero();
    } finally {
      RelayFixture.await(relay.stop(Duration.ofSeconds(10)));
      RelayFixture.await(vertx.close());
    }
  }

  /**
   * Loads the relay in phases of 10 s, each followed by the drain, until the JIT compilers took
   * under 10% of the process's CPU in a phase, or {@code seconds} passed.
   */
  private static void warmUp(Driver driver, Relay relay, int connections, int seconds,
      StringBuilder report) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    int phases = 0;
    double jitShare = 1;
    while (System.nanoTime() < end && jitShare >= 0.10) {
      long jit0 = CpuSplit.vmThreadNanos().get("jit");
      long cpu0 = CpuSplit.OS.getProcessCpuTime();
      driver.load(relay.port(), connections, 10);
      awaitDrained(relay, 300);
      jitShare = (CpuSplit.vmThreadNanos().get("jit") - jit0)
          / (double) Math.max(1, CpuSplit.OS.getProcessCpuTime() - cpu0);
      phases++;
    }
    report.append(String.format(Locale.ROOT, "  relay warm-up: %d phase(s) of 10 s load + drain;"
        + " the JIT's share of the CPU in the last: %.0f%%%n", phases, 100 * jitShare));
  }

  private static void awaitDrained(Relay relay, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    while (relay.log().stats().unackedMessages() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
  }

  /** About twenty evenly spaced samples of the depth. */
  private static String depthLine(List<long[]> depth) {
    StringBuilder sb = new StringBuilder();
    long last = depth.get(depth.size() - 1)[0];
    long step = Math.max(1, last / 20);
    long next = 0;
    for (long[] d : depth) {
      if (d[0] >= next || d == depth.get(depth.size() - 1)) {
        sb.append(String.format(Locale.ROOT, "%.1f:%d ", d[0] / 1e3, d[1]));
        next = d[0] + step;
      }
    }
    return sb.toString().trim();
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (Exception e) {
      return String.valueOf(java.lang.management.ManagementFactory.getOperatingSystemMXBean()
          .getSystemLoadAverage());
    }
  }

  /** The {@link LoadDriver} JVM and its line protocol. */
  private static final class Driver implements AutoCloseable {
    private final Process process;
    private final PrintWriter commands;
    private final BufferedReader answers;
    final int standInPort;

    Driver(Path stderr) throws Exception {
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
          "-cp", System.getProperty("java.class.path"), LoadDriver.class.getName()));
      process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
      commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
      answers = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8));
      standInPort = Integer.parseInt(expect("standin")[1]);
    }

    /** {ok requests, failed requests, nanos, the load generator's CPU nanos}. */
    synchronized long[] load(int port, int connections, int seconds) throws Exception {
      commands.println("load " + port + " " + connections + " " + seconds);
      String[] w = expect("load");
      return new long[] {Long.parseLong(w[1]), Long.parseLong(w[2]), Long.parseLong(w[3]),
          Long.parseLong(w[4])};
    }

    Future<long[]> loadAsync(int port, int connections, int seconds) {
      io.vertx.core.Promise<long[]> done = io.vertx.core.Promise.promise();
      Thread t = new Thread(() -> {
        try {
          done.complete(load(port, connections, seconds));
        } catch (Exception e) {
          done.fail(e);
        }
      }, "bench-load");
      t.start();
      return done.future();
    }

    /** The stand-in's {requests, body bytes} so far. */
    synchronized long[] counts() throws Exception {
      commands.println("counts");
      String[] w = expect("counts");
      return new long[] {Long.parseLong(w[1]), Long.parseLong(w[2])};
    }

    private String[] expect(String word) throws Exception {
      for (String line = answers.readLine(); line != null; line = answers.readLine()) {
        String[] w = line.trim().split("\\s+");
        if (w[0].equals(word)) {
          return w;
        }
      }
      throw new AssertionError("the load driver ended before answering " + word);
    }

    @Override
    public void close() throws Exception {
      commands.close();
      if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}

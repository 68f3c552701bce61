package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.cluster.ClusterProcessor;
import dev.mixrelay.cluster.EmbeddedKafka;
import dev.mixrelay.config.ConfigLoader;
import dev.mixrelay.config.RelayConfig;
import dev.mixrelay.mock.MockMixpanel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster processing throughput beside the embedded engine's, in one run: the same backlog of
 * track calls (10,000 users over one day) is put in an embedded relay's log (pipeline off) and,
 * through an intake node, in the intake topic; then the embedded pipeline drains its log, and
 * one processor with one stream thread, one with two, and two with one each (each a fresh Kafka
 * Streams application on the same topic) drain the topic, to the mock Mixpanel. Reported:
 * events/s from the start to the last event at the mock; for the embedded engine also the cores
 * it kept busy (process CPU time over wall time) and so its events/s per core; for the cluster
 * events/s per stream thread and its ratio to the embedded engine's per core. Broker, mock,
 * intake and processors share this JVM and the machine's cores. A report, not a timed test:
 * {@code mvn -B -o -Pbench verify -Dtest=ClusterBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 * ({@code -Dbench.messages=200000}).
 */
@Tag("bench")
class ClusterBenchmark {
  /** {@code -Dbench.commitInterval=100ms}: the processors' kafka.commitInterval (default 1s). */
  private static final String COMMIT_INTERVAL = System.getProperty("bench.commitInterval") == null
      ? "" : "  commitInterval: " + System.getProperty("bench.commitInterval") + "\n";
  /** {@code -Dbench.reorderWindow=0s}: the processors' kafka.reorderWindow (default 5s). */
  private static final String REORDER_WINDOW = System.getProperty("bench.reorderWindow") == null
      ? "" : "  reorderWindow: " + System.getProperty("bench.reorderWindow") + "\n";

  @TempDir
  Path dir;

  @Test
  void reportsEventsPerSecondForOneAndTwoProcessors() throws Exception {
    int messages = Integer.getInteger("bench.messages", 200_000);
    int partitions = Integer.getInteger("bench.partitions", 6);
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        MockMixpanel mock = MockMixpanel.builder().port(0).build().start()) {
      String intakeTopic = EmbeddedKafka.unique("bench-intake");
      String common = """
          server: { host: 127.0.0.1, port: 0 }
          engine: kafka
          kafka:
            bootstrapServers: "%s"
            intakeTopic: %s
            partitions: %d
          sources: [ { writeKey: bench-key, destination: main } ]
          destinations:
            main: { token: t, apiSecret: s, apiHost: "%s" }
          logging: { level: WARN }
          """.formatted(kafka.bootstrapServers(), intakeTopic, partitions, mock.baseUrl());
      fill(common, messages);
      StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
          "cluster benchmark (%d cores, %d partitions, %,d messages in the intake topic):%n",
          Runtime.getRuntime().availableProcessors(), partitions, messages));
      // twice: the first also warms the JIT up; the better figure is the baseline
      double perCore = Math.max(embedded(mock, messages, report, "embedded-1"),
          embedded(mock, messages, report, "embedded-2"));
      // the first run warms the JIT up for the Kafka engine, as the embedded engine's first did
      for (int[] run : new int[][] {{1, 1}, {1, 1}, {1, 2}, {2, 1}}) {
        int processors = run[0];
        int threads = run[1];
        mock.reset();
        String app = EmbeddedKafka.unique("bench-app");
        List<RelayFixture> nodes = new ArrayList<>();
        var os = (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        for (int i = 0; i < processors; i++) {
          Path d = dir.resolve(app + "-" + i);
          RelayConfig config = ConfigLoader.parse(common.replace("kafka:\n",
              "kafka:\n  properties: { num.stream.threads: \"" + threads + "\" }\n"
              + COMMIT_INTERVAL + REORDER_WINDOW)
              + "role: processor\n", Map.of(
              "MIXRELAY_KAFKA_APPLICATIONID", app,
              "MIXRELAY_KAFKA_STATEDIR", d.resolve("streams").toString(),
              "MIXRELAY_KAFKA_DEADLETTERTOPIC", app + "-dead",
              "MIXRELAY_KAFKA_LINKSTOPIC", app + "-links"), "bench");
          RelayFixture fx = new RelayFixture(d, config);
          fx.relay = RelayFixture.await(Relay.start(fx.vertx, config, java.time.Clock.systemUTC()));
          nodes.add(fx);
        }
        long deadline = System.nanoTime() + 20L * 60 * 1_000_000_000L;
        long maxLag = 0;
        while (events(mock) < messages && System.nanoTime() < deadline) {
          maxLag = Math.max(maxLag, lag(nodes));
          Thread.sleep(200); // the test thread samples; the relays run on their own threads
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long delivered = events(mock);
        long lagAtEnd = lag(nodes);
        Map<String, Long> byTopic = new TreeMap<>();
        for (RelayFixture n : nodes) {
          n.relay.clusterProcessor().lagByPartition().forEach((tp, l) -> byTopic.merge(
              tp.substring(0, tp.lastIndexOf('-')).replace(app + "-", "").replace(intakeTopic,
              "intake"), l, Long::sum));
        }
        report.append(String.format(Locale.ROOT, "  %d processor(s) x %d stream thread(s): %,d"
            + " events in %.1f s = %,.0f events/s (start and first rebalance included);"
            + " highest lag sampled %,d; lag when the last event arrived %,d %s%n", processors,
            threads, delivered, seconds, delivered / seconds, maxLag, lagAtEnd, byTopic));
        double perThread = delivered / seconds / (processors * threads);
        double processCpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        double streamCpu = streamThreadCpuSeconds();
        report.append(String.format(Locale.ROOT, "    = %,.0f events/s per stream thread, %.2f"
            + " of the embedded engine's events/s per core; per CPU second: %,.0f events of the"
            + " stream threads' CPU (%.1f s), %,.0f of the whole JVM's (%.1f s: broker, intake,"
            + " delivery, mock included)%n", perThread, perThread / perCore,
            delivered / streamCpu, streamCpu, delivered / processCpu, processCpu));
        for (RelayFixture n : nodes) {
          n.close();
        }
        assertThat(delivered).isGreaterThanOrEqualTo(messages);
      }
      System.out.print(report);
    }
  }

  /**
   * The embedded engine on the same backlog: the log filled with its pipeline off, then a
   * relay whose pipeline drains it; returns its events/s per core kept busy.
   */
  private double embedded(MockMixpanel mock, int messages, StringBuilder report, String name)
      throws Exception {
    mock.reset();
    Path d = dir.resolve(name);
    RelayConfig config = ConfigLoader.parse("""
        server: { host: 127.0.0.1, port: 0 }
        storage: { dir: "%s" }
        sources: [ { writeKey: bench-key, destination: main } ]
        destinations:
          main: { token: t, apiSecret: s, apiHost: "%s" }
        logging: { level: WARN }
        """.formatted(d.toString().replace("\\", "/"), mock.baseUrl()), Map.of(), "embedded");
    try (RelayFixture fx = new RelayFixture(d, config)) {
      fx.relay = RelayFixture.await(Relay.start(fx.vertx, config, java.time.Clock.systemUTC(),
          Relay::mixpanelDelivery, false));
      post(fx, messages);
    }
    var os = (com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    try (RelayFixture fx = new RelayFixture(d, config)) {
      fx.relay = RelayFixture.await(Relay.start(fx.vertx, config, java.time.Clock.systemUTC()));
      long deadline = System.nanoTime() + 20L * 60 * 1_000_000_000L;
      while (events(mock) < messages && System.nanoTime() < deadline) {
        Thread.sleep(200); // the test thread samples; the relay runs on its own threads
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      double cores = (os.getProcessCpuTime() - cpu0) / 1e9 / seconds;
      long delivered = events(mock);
      double perSecond = delivered / seconds;
      report.append(String.format(Locale.ROOT, "  embedded engine: %,d events in %.1f s = %,.0f"
          + " events/s (start included), %.2f cores busy = %,.0f events/s per core%n", delivered,
          seconds, perSecond, cores, perSecond / cores));
      assertThat(delivered).isGreaterThanOrEqualTo(messages);
      return perSecond / cores;
    }
  }

  /** CPU seconds of the live Kafka Streams stream threads. */
  private static double streamThreadCpuSeconds() {
    var threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long nanos = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().contains("-StreamThread-")) {
        nanos += Math.max(0, threads.getThreadCpuTime(t.getId()));
      }
    }
    return nanos / 1e9;
  }

  /** Events at the mock, not counting session events. */
  private static long events(MockMixpanel mock) {
    var c = mock.counts();
    return c.distinctInsertIds() - c.sessionStarts() - c.sessionEnds();
  }

  private static long lag(List<RelayFixture> nodes) {
    long sum = 0;
    for (RelayFixture n : nodes) {
      ClusterProcessor p = n.relay.clusterProcessor();
      if (p != null) {
        for (long l : p.lagByPartition().values()) {
          sum += l;
        }
      }
    }
    return sum;
  }

  /** Posts the backlog through an intake node (not timed). */
  private void fill(String common, int messages) throws Exception {
    RelayConfig config = ConfigLoader.parse(common + "role: intake\n", Map.of(), "intake");
    try (RelayFixture fx = new RelayFixture(dir.resolve("intake"), config)) {
      fx.relay = RelayFixture.await(Relay.start(fx.vertx, config, java.time.Clock.systemUTC()));
      post(fx, messages);
    }
  }

  /** Posts the backlog's {@code messages} track calls to a relay. */
  private static void post(RelayFixture fx, int messages) {
    long day = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(1, ChronoUnit.DAYS)
        .toEpochMilli();
    long step = 86_400_000L / messages;
    for (int start = 0; start < messages; start += 500) {
      StringBuilder body = new StringBuilder("{\"batch\":[");
      for (int i = start; i < Math.min(messages, start + 500); i++) {
        int u = i % 10_000;
        if (i > start) {
          body.append(',');
        }
        body.append("{\"type\":\"track\",\"event\":\"Product Viewed\",\"userId\":\"user-")
            .append(u).append("\",\"anonymousId\":\"anon-").append(u)
            .append("\",\"messageId\":\"bench-").append(i).append("\",\"timestamp\":\"")
            .append(Instant.ofEpochMilli(day + i * step)).append("\",\"properties\":{\"n\":")
            .append(i).append("},\"context\":{\"ip\":\"203.0.113.").append(u % 250)
            .append("\",\"library\":{\"name\":\"analytics.js\",\"version\":\"2.11.1\"}}}");
      }
      body.append("]}");
      var resp = fx.post("/v1/batch", io.vertx.core.buffer.Buffer.buffer(
          body.toString().getBytes(StandardCharsets.UTF_8)), Map.of("Authorization",
          RelayFixture.basic("bench-key"), "Content-Type", "application/json"));
      assertThat(resp.statusCode()).isEqualTo(200);
    }
  }
}

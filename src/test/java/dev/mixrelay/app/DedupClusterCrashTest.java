package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.cluster.EmbeddedKafka;
import dev.mixrelay.mock.Faults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka engine's delivery stage under SIGKILL: one of two processors, each in a JVM of its
 * own, is killed mid-stream while the mock fails a share of requests with 500 and 429, with a
 * profile increment in every message, 150 ms per request and seconds of backoff, so a failed
 * request holds its poll's commit back while later requests succeed: thousands of operations
 * Mixpanel took are uncommitted at any time. The survivor takes the killed one's partitions over from
 * their last commit and reads their delivery marks back, so each user's {@code $add} sum at the
 * mock equals its number of distinct messages, but for the operations of requests in flight at
 * the kill (Mixpanel took them, their marks not yet written), which the test counts, reports and
 * bounds; the survivor must have skipped marked operations.
 */
class DedupClusterCrashTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int USERS = 300;
  static final int MESSAGES = 6000;
  static final int MAX_CONCURRENCY = 2;
  static final int MAX_BATCH_RECORDS = 50;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  @Test
  @DisplayName("a processor killed mid-stream under 500s and 429s applies each increment once,"
      + " but for requests in flight")
  void aKill9OfAProcessorAppliesEachIncrementOnceButForRequestsInFlight() throws Exception {
    Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Random rnd = new Random(16);
    int[] expected = new int[USERS];
    List<ObjectNode> messages = new ArrayList<>();
    String t = start.minusSeconds(600).toString();
    for (int n = 0; n < MESSAGES; n++) {
      int u = rnd.nextInt(USERS);
      expected[u]++;
      messages.add(JSON.createObjectNode().put("type", "track").put("event", "Logged In")
          .put("userId", "user-" + u).put("messageId", "kcrash-" + n).put("timestamp", t));
    }
    try (ClusterRuns.Cluster c = new ClusterRuns.Cluster(dir.resolve("cluster"),
        EmbeddedKafka.shared(), 0, 4, start, "", DedupClusterCrashTest::destinations)) {
      c.mock.faults(Faults.NONE.withErrorRate(0.2, 500).withRateLimitRate(0.1, 1)
          .withLatencyMs(150).withSeed(5));
      Process a = processor(c, "a");
      Process b = processor(c, "b");
      long opsAtKill;
      try {
        waitForTwoMembers(c, a, b);
        // every message in, so each consumer has large polls with delivery: a kill finds
        // thousands of operations Mixpanel took whose offsets are not committed yet
        ClusterRuns.post(c.intake, messages);
        c.intake.waitUntil(() -> c.mock.counts().engageOps() >= MESSAGES / 4,
            () -> "operations at the mock " + c.mock.counts().engageOps(), 120);
        a.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        opsAtKill = c.mock.counts().engageOps();
        c.intake.waitUntil(() -> {
          Map<String, Long> now = DedupCrashTest.addSums(c.mock);
          for (int u = 0; u < USERS; u++) {
            if (now.getOrDefault("user-" + u, 0L) < expected[u]) {
              return false;
            }
          }
          return c.mock.distinctInsertIds() >= MESSAGES;
        }, () -> "increments at the mock " + DedupCrashTest.addSums(c.mock).values().stream()
            .mapToLong(Long::longValue).sum() + " of " + MESSAGES + "; survivor: " + tail("b.out"),
            180);
        Thread.sleep(3000); // anything still arriving would be a repeat
      } finally {
        a.destroyForcibly();
        b.destroy();
        b.waitFor(60, TimeUnit.SECONDS);
        b.destroyForcibly();
      }
      Map<String, Long> sums = DedupCrashTest.addSums(c.mock);
      long excess = 0;
      long usersOver = 0;
      for (int u = 0; u < USERS; u++) {
        long got = sums.getOrDefault("user-" + u, 0L);
        assertThat(got).as("user-" + u + " lost an increment").isGreaterThanOrEqualTo(expected[u]);
        excess += got - expected[u];
        usersOver += got > expected[u] ? 1 : 0;
      }
      String report = String.format("dedup cluster crash test: %d messages with a $add each, %d"
          + " users, two processors, SIGKILL of one after %d operations reached the mock; %d"
          + " increments applied twice (%d users) = operations of /engage requests in flight at"
          + " the kill; requests by status %s", MESSAGES, USERS, opsAtKill, excess, usersOver,
          c.mock.counts().requestsByStatus());
      System.out.println(report);
      Files.createDirectories(Path.of("target/bench"));
      Files.writeString(Path.of("target/bench/dedup-cluster-crash.txt"), report + "\n");
      // in flight at the kill: at most maxConcurrency requests of maxBatchRecords operations
      assertThat(excess).isLessThanOrEqualTo((long) MAX_CONCURRENCY * MAX_BATCH_RECORDS);
      // and the survivor skipped, by their marks, operations the killed one had sent
      assertThat(Files.readString(dir.resolve("b.out")))
          .contains("operations Mixpanel already took were not sent again (delivery marks)");
    }
  }

  private static String destinations(String apiHost) {
    return """
        sources: [ { writeKey: %s, destination: main } ]
        destinations:
          main:
            token: t
            apiSecret: s
            apiHost: "%s"
            settings: { eventIncrements: [Logged In] }
            sessions: { mode: off }
            delivery: { linger: 20ms, maxBatchRecords: %d, maxConcurrency: %d,
                        initialBackoff: 2s, maxBackoff: 4s, requestTimeout: 5s }
        """.formatted(ClusterRuns.WRITE_KEY, apiHost, MAX_BATCH_RECORDS, MAX_CONCURRENCY);
  }

  private Process processor(ClusterRuns.Cluster c, String name) throws Exception {
    Path config = dir.resolve(name + ".yaml");
    Files.createDirectories(dir.resolve("cluster").resolve(name));
    Files.writeString(config, c.yaml("processor", name));
    return RelayProcess.relay(config, dir.resolve(name + ".out"), "-Xmx512m");
  }

  private void waitForTwoMembers(ClusterRuns.Cluster c, Process a, Process b) {
    c.intake.waitUntil(() -> {
      try {
        String out = Files.readString(dir.resolve("a.out")) + Files.readString(dir.resolve("b.out"));
        int running = 0;
        for (int i = out.indexOf("REBALANCING -> RUNNING"); i >= 0;
            i = out.indexOf("REBALANCING -> RUNNING", i + 1)) {
          running++;
        }
        return running >= 2 && a.isAlive() && b.isAlive();
      } catch (java.io.IOException e) {
        return false;
      }
    }, () -> "processors not running: " + tail("a.out") + " | " + tail("b.out"));
  }

  private String tail(String file) {
    try {
      String s = Files.readString(dir.resolve(file));
      return s.substring(Math.max(0, s.length() - 600));
    } catch (java.io.IOException e) {
      return "(no output)";
    }
  }
}

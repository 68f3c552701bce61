package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.cluster.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A processor of a two-processor cluster, each in a JVM of its own, is killed with SIGKILL
 * mid-stream. The survivor takes over its partitions (offsets from the last commit, sessions from
 * the changelog), and nothing accepted is lost: the mock's event {@code $insert_id}s equal a
 * single node's, and so do its sessions. To close them on a manual clock, the survivor is then
 * stopped and a processor in the test JVM takes over every partition from the changelogs.
 */
class ClusterCrashTest {
  /**
   * The default lateness. The killed processor's partitions wait for the failover (the group's
   * session timeout, 6 s here, then the restore) while the others go on: the reorder window must
   * be longer than that for its users' records to run in intake order (docs/cluster.md).
   */
  private static final String SESSIONS = "{ timeout: 30m }";

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  @Test
  @DisplayName("killing one of two processors mid-stream loses no event and changes no session")
  void aKilledProcessorLosesNothing() throws Exception {
    killOneMidStream();
  }

  private void killOneMidStream() throws Exception {
    Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    List<ObjectNode> messages = ClusterStream.messages(300, 21);
    ClusterRuns.Outcome single = ClusterRuns.singleNode(dir.resolve("single"), messages, start,
        SESSIONS);
    ClusterRuns.Outcome cluster;
    StringBuilder log = new StringBuilder();
    try (ClusterRuns.Cluster c = new ClusterRuns.Cluster(dir.resolve("cluster"),
        EmbeddedKafka.shared(), 0, 4, start, "  reorderWindow: 30s\n",
        url -> ClusterRuns.destinationYaml(url, SESSIONS))) {
      Process a = processor(c, "a");
      Process b = processor(c, "b");
      try {
        waitForTwoMembers(c, a, b);
        int half = messages.size() / 2;
        ClusterRuns.post(c.intake, messages.subList(0, half));
        // kill only once delivery is under way
        c.intake.waitUntil(() -> c.mock.distinctInsertIds() > half / 4,
            () -> "events at the mock " + c.mock.distinctInsertIds());
        long atKill = c.mock.distinctInsertIds();
        if (Boolean.parseBoolean(System.getProperty("crash.kill", "true"))) {
          a.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        ClusterRuns.post(c.intake, messages.subList(half, messages.size()));
        try {
          c.awaitEvents(messages);
        } catch (AssertionError e) {
          java.util.Set<String> have = ClusterRuns.outcome(c.mock).events();
          java.util.List<String> missing = single.eventsByInsertId().entrySet().stream()
              .filter(x -> !have.contains(x.getKey())).map(java.util.Map.Entry::getValue)
              .sorted().limit(40).toList();
          String dead = "";
          try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(
              java.util.Map.of("bootstrap.servers", EmbeddedKafka.shared().bootstrapServers(),
                  "group.id", "diag", "auto.offset.reset", "earliest"),
              new org.apache.kafka.common.serialization.StringDeserializer(),
              new org.apache.kafka.common.serialization.StringDeserializer())) {
            consumer.subscribe(java.util.List.of(c.deadLetterTopic()));
            var recs = consumer.poll(java.time.Duration.ofSeconds(5));
            StringBuilder sb = new StringBuilder("dead letters " + recs.count() + ": ");
            recs.forEach(r -> sb.append(r.value(), 0, Math.min(300, r.value().length()))
                .append(" | "));
            dead = sb.substring(0, Math.min(sb.length(), 1500));
          }
          throw new AssertionError(e.getMessage() + "; " + dead + "; missing " + missing
              + "; survivor's output: " + tail("b.out"), e);
        }
        log.append("events at the mock when processor a was killed: ").append(atKill)
            .append(" of ").append(messages.size()).append(" messages\n");
        b.destroy(); // SIGTERM: a graceful stop commits and saves the state
        a.destroy();
        assertThat(b.waitFor(60, TimeUnit.SECONDS)).isTrue();
        a.waitFor(60, TimeUnit.SECONDS);
      } finally {
        a.destroyForcibly();
        b.destroyForcibly();
      }
      // the finisher's clock goes on from the time the two processors ran on (the real one)
      Duration behind = Duration.between(c.clock.instant(), Instant.now());
      if (!behind.isNegative()) {
        c.clock.advance(behind);
      }
      c.processors.add(c.node("processor", "finisher"));
      c.awaitRunning();
      cluster = c.finish();
      log.append("requests at the mock: ").append(c.mock.counts()).append('\n');
    }
    System.out.print(log);
    assertThat(cluster.events()).isEqualTo(single.events());
    assertThat(cluster.sessions()).as(() -> ClusterRuns.difference(single, cluster))
        .isEqualTo(single.sessions());
  }

  private Process processor(ClusterRuns.Cluster c, String name) throws Exception {
    Path config = dir.resolve(name + ".yaml");
    Files.createDirectories(dir.resolve("cluster").resolve(name));
    Files.writeString(config, c.yaml("processor", name));
    return RelayProcess.relay(config, dir.resolve(name + ".out"), "-Xmx512m");
  }

  /** Both processors joined the group (each lists the other's tasks as assigned elsewhere). */
  private void waitForTwoMembers(ClusterRuns.Cluster c, Process a, Process b) throws Exception {
    c.intake.waitUntil(() -> {
      try {
        String out = Files.readString(dir.resolve("a.out")) + Files.readString(dir.resolve("b.out"));
        return count(out, "Kafka Streams REBALANCING -> RUNNING") >= 2 && a.isAlive()
            && b.isAlive();
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

  private static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}

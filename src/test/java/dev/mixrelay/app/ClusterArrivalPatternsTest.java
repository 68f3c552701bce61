package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.cluster.EmbeddedKafka;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's arrival patterns through a cluster on a real broker (an intake node, two processors
 * with two stream threads each, four partitions) at the default {@code allowedLateness}: live users
 * interleaved in time order, offline phones whose whole streams come in one block after everyone
 * else's, and a backfill sent one user after another. Each user's calls come from up to three
 * intake partitions (two devices' anonymousIds and the server's userId). The cluster sends exactly
 * the sessions a single node makes of the same calls (which {@link SessionArrivalEndToEndTest}
 * holds to the reference), and no event is late.
 */
class ClusterArrivalPatternsTest {
  @TempDir
  Path dir;

  @Test
  @DisplayName("live, offline and user-sorted backfill users through two processors get a single"
      + " node's sessions at the default lateness")
  void theArrivalPatternsGiveTheSingleNodesSessions() throws Exception {
    List<ObjectNode> all = ClusterStream.messages(120, 15);
    Map<String, List<ObjectNode>> byUser = new LinkedHashMap<>();
    for (ObjectNode m : all) {
      byUser.computeIfAbsent(userOf(m), u -> new ArrayList<>()).add(m);
    }
    List<ObjectNode> live = new ArrayList<>();
    List<ObjectNode> offline = new ArrayList<>();
    List<ObjectNode> backfill = new ArrayList<>();
    int u = 0;
    for (List<ObjectNode> calls : byUser.values()) {
      (u % 3 == 0 ? live : u % 3 == 1 ? offline : backfill).addAll(calls);
      u++;
    }
    live.sort(Comparator.comparing((ObjectNode m) -> m.get("timestamp").asText()));
    List<ObjectNode> messages = new ArrayList<>(live); // in time order, interleaved
    messages.addAll(offline); // each phone's queue in one block, after everyone's live calls
    messages.addAll(backfill); // one user's whole history after another's

    ClusterRuns.Outcome single = ClusterRuns.singleNode(dir.resolve("single"), messages);
    ClusterRuns.Outcome cluster;
    String metrics;
    try (ClusterRuns.Cluster c = new ClusterRuns.Cluster(dir.resolve("cluster"),
        EmbeddedKafka.shared(), 2, 4)) {
      cluster = c.run(messages);
      metrics = c.processorMetrics();
    }
    assertThat(single.sessions()).hasSizeGreaterThan(150);
    assertThat(cluster.events()).isEqualTo(single.events());
    assertThat(cluster.sessions()).as(() -> ClusterRuns.difference(single, cluster))
        .isEqualTo(single.sessions());
    assertThat(metrics).as("late events on the processors")
        .doesNotContainPattern("mixrelay_session_late_events_total\\{[^}]*\\} [1-9]");
  }

  /** The user a generated call belongs to: its messageId is cs-<user>-<n>. */
  private static String userOf(ObjectNode m) {
    String id = m.get("messageId").asText();
    return id.substring(0, id.lastIndexOf('-'));
  }
}

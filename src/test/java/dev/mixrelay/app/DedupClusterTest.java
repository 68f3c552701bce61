package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.cluster.EmbeddedKafka;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The messageId window in the Kafka engine's route stage: a batch sent twice changes profiles once. */
class DedupClusterTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int USERS = 20;

  @TempDir
  Path dir;

  @Test
  void aBatchSentTwiceThroughTheClusterChangesProfilesOnce() throws Exception {
    List<ObjectNode> messages = new ArrayList<>();
    String t = ClusterRuns.NOW.minusSeconds(3600).toString();
    for (int u = 0; u < USERS; u++) {
      messages.add(JSON.createObjectNode().put("type", "identify").put("userId", "k-user-" + u)
          .put("messageId", "k-" + u + "-identify").put("timestamp", t));
      ObjectNode order = JSON.createObjectNode().put("type", "track").put("event", "Order Completed")
          .put("userId", "k-user-" + u).put("messageId", "k-" + u + "-order").put("timestamp", t);
      order.putObject("properties").put("revenue", 12.5).put("orderId", "o-" + u);
      messages.add(order);
    }
    try (ClusterRuns.Cluster c = new ClusterRuns.Cluster(dir.resolve("cluster"),
        EmbeddedKafka.shared(), 1, 2)) {
      c.awaitRunning();
      ClusterRuns.post(c.intake, messages);
      ClusterRuns.post(c.intake, messages); // the client's retry
      c.intake.waitUntil(() -> DedupWindowTest.profileEffects(c.mock).values().stream()
              .mapToLong(e -> e[1]).sum() >= USERS && c.mock.distinctInsertIds() >= USERS,
          () -> "profile effects " + DedupWindowTest.profileEffects(c.mock).size(), 150);
      Thread.sleep(3000); // a repeat would arrive by now
      Map<String, long[]> effects = DedupWindowTest.profileEffects(c.mock);
      for (int u = 0; u < USERS; u++) {
        assertThat(effects.get("k-user-" + u)[1]).as("$append count of k-user-" + u).isEqualTo(1);
      }
      double dropped = 0;
      for (RelayFixture p : c.processors) {
        dropped += DedupWindowTest.duplicates(p, "track") + DedupWindowTest.duplicates(p, "identify");
      }
      assertThat(dropped).isEqualTo(2 * USERS);
    }
  }
}

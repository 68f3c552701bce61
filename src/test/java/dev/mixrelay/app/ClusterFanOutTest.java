package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.cluster.EmbeddedKafka;
import dev.mixrelay.mixpanel.MixpanelRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fan-out through the Kafka engine on a real broker in the test JVM: a source with two
 * destinations has every message translated, sessionized and delivered by each, with each
 * destination's own settings (the second is {@code compat: actions}).
 */
class ClusterFanOutTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  static String twoDestinations(String apiHost) {
    return """
        sources: [ { writeKey: %s, destinations: [main, second] } ]
        destinations:
          main:
            token: t
            apiSecret: s
            apiHost: "%s"
            delivery: { linger: 20ms }
            sessions: %s
          second:
            token: t2
            apiSecret: s2
            apiHost: "%s"
            delivery: { linger: 20ms }
            settings: { compat: actions }
        """.formatted(ClusterRuns.WRITE_KEY, apiHost, ClusterRuns.SESSIONS, apiHost);
  }

  @Test
  @DisplayName("a source with two destinations delivers every message to both, each with its own"
      + " settings")
  void everyMessageReachesBothDestinations() throws Exception {
    List<ObjectNode> messages = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      messages.add(JSON.createObjectNode().put("type", "track").put("messageId", "fan-" + i)
          .put("timestamp", ClusterRuns.NOW.plusSeconds(i).toString())
          .put("userId", "user-" + (i % 4)).put("event", "Fanned Out"));
    }
    try (ClusterRuns.Cluster c = new ClusterRuns.Cluster(dir.resolve("cluster"),
        EmbeddedKafka.shared(), 1, 2, ClusterRuns.NOW, "", ClusterFanOutTest::twoDestinations)) {
      c.awaitRunning();
      ClusterRuns.post(c.intake, messages);
      // one event per message and destination: their $insert_ids differ by the project key
      c.intake.waitUntil(() -> c.mock.distinctInsertIds() >= 2L * messages.size(),
          () -> "events at the mock " + c.mock.distinctInsertIds() + " of "
              + 2 * messages.size(), 150);
      Map<String, Integer> byLib = new TreeMap<>();
      for (MixpanelRecord r : c.mock.events()) {
        if ("Fanned Out".equals(r.eventName())) {
          byLib.merge(r.properties().path("mp_lib").asText(), 1, Integer::sum);
        }
      }
      assertThat(byLib).containsEntry("Segment: unknown", messages.size())
          .containsEntry("Segment Actions: unknown", messages.size());
    }
  }

  static String oneDestinationDown(String apiHost) {
    return """
        sources: [ { writeKey: %s, destinations: [down, main] } ]
        destinations:
          down:
            token: t3
            apiSecret: s3
            apiHost: "http://127.0.0.1:1"
            delivery: { linger: 20ms }
          main:
            token: t
            apiSecret: s
            apiHost: "%s"
            delivery: { linger: 20ms }
            sessions: %s
        """.formatted(ClusterRuns.WRITE_KEY, apiHost, ClusterRuns.SESSIONS);
  }

  @Test
  @DisplayName("a destination that cannot be reached does not hold the other back")
  void aFailingDestinationDoesNotHoldTheOtherBack() throws Exception {
    List<ObjectNode> messages = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      messages.add(JSON.createObjectNode().put("type", "track").put("messageId", "down-" + i)
          .put("timestamp", ClusterRuns.NOW.plusSeconds(i).toString())
          .put("userId", "user-" + (i % 4)).put("event", "Fanned Out"));
    }
    try (ClusterRuns.Cluster c = new ClusterRuns.Cluster(dir.resolve("cluster"),
        EmbeddedKafka.shared(), 1, 2, ClusterRuns.NOW, "", ClusterFanOutTest::oneDestinationDown)) {
      c.awaitRunning();
      ClusterRuns.post(c.intake, messages);
      c.intake.waitUntil(() -> c.mock.distinctInsertIds() >= messages.size(),
          () -> "events at the mock " + c.mock.distinctInsertIds() + " of " + messages.size(),
          150);
      assertThat(c.mock.events().stream().filter(r -> "Fanned Out".equals(r.eventName()))
          .map(r -> r.properties().path("mp_lib").asText()).distinct())
          .containsExactly("Segment: unknown");
    }
  }
}

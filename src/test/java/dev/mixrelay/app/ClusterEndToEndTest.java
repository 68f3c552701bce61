package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.cluster.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster mode end to end on a real broker in the test JVM: Segment calls posted to an intake
 * node reach the mock Mixpanel through two processors, with the same events and the same sessions
 * as a single embedded node makes of the same input.
 */
class ClusterEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  @DisplayName("a mixed stream through an intake node and two processors gives a single node's"
      + " events and sessions")
  void twoProcessorsEmitTheSingleNodesSessions() throws Exception {
    List<ObjectNode> messages = ClusterStream.messages(150, 7);
    ClusterRuns.Outcome single = ClusterRuns.singleNode(dir.resolve("single"), messages);
    ClusterRuns.Outcome cluster;
    try (ClusterRuns.Cluster c = new ClusterRuns.Cluster(dir.resolve("cluster"),
        EmbeddedKafka.shared(), 2, 4)) {
      cluster = c.run(messages);
      String metrics = c.processorMetrics();
      System.out.println("processor metrics:\n" + metrics);
      assertThat(metrics).as("non-zero state-store sizes on /metrics")
          .contains("mixrelay_kafka_state_store_bytes");
    }
    assertThat(single.sessions()).hasSizeGreaterThan(200);
    assertThat(cluster.events()).isEqualTo(single.events());
    assertThat(cluster.sessions()).as(() -> ClusterRuns.difference(single, cluster))
        .isEqualTo(single.sessions());
  }

  @Test
  @DisplayName("a device linked on its own partition hands its anonymous session to the user whose"
      + " events are keyed elsewhere")
  void anAnonymousSessionIsCarriedOverToAUserOnAnotherPartition() throws Exception {
    int partitions = 4;
    String device = null;
    String user = null;
    for (int i = 0; device == null; i++) {
      String d = "device-" + i;
      String u = "user-" + i;
      if (part(d, partitions) != part(u, partitions)
          && part("main\0$device:" + d, partitions) != part("main\0" + u, partitions)) {
        device = d;
        user = u;
      }
    }
    long t0 = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();
    List<ObjectNode> messages = new ArrayList<>();
    messages.add(call("page", 0, t0, null, device).put("name", "Home"));
    messages.add(call("page", 1, t0 + 60_000, null, device).put("name", "Pricing"));
    messages.add(call("identify", 2, t0 + 120_000, user, device));
    messages.add(call("track", 3, t0 + 180_000, user, null).put("event", "Invoice Paid"));
    messages.add(call("track", 4, t0 + 240_000, user, null).put("event", "Invoice Sent"));
    ClusterRuns.Outcome single = ClusterRuns.singleNode(dir.resolve("single"), messages);
    ClusterRuns.Outcome cluster;
    try (ClusterRuns.Cluster c = new ClusterRuns.Cluster(dir.resolve("cluster"),
        EmbeddedKafka.shared(), 2, partitions)) {
      cluster = c.run(messages);
    }
    assertThat(cluster.sessions()).hasSize(2);
    for (String body : cluster.sessions().values()) {
      JsonNode p = JSON.readTree(body).get("properties");
      assertThat(p.get("distinct_id").asText()).isEqualTo(user);
      assertThat(p.get("Session Event Count").asInt()).isEqualTo(4);
      assertThat(p.get("Session Start Event Name").asText()).isEqualTo("Loaded a Page");
      assertThat(p.get("Session Duration (Seconds)").asDouble()).isEqualTo(240.0);
    }
    assertThat(cluster.sessions()).isEqualTo(single.sessions());
  }

  private static int part(String key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  private static ObjectNode call(String type, int n, long t, String user, String device) {
    ObjectNode m = JSON.createObjectNode().put("type", type).put("messageId", "carry-" + n)
        .put("timestamp", Instant.ofEpochMilli(t).toString());
    if (user != null) {
      m.put("userId", user);
    }
    if (device != null) {
      m.put("anonymousId", device);
    }
    return m;
  }
}

package dev.mixrelay.app;

import dev.mixrelay.demo.ManualClock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mixrelay.cluster.EmbeddedKafka;
import dev.mixrelay.log.KafkaRecords;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * An intake node of a Kafka cluster ({@code engine: kafka}, {@code role: intake}) against a real
 * broker, over real HTTP: what a 200 means, and what the records in the intake topic look like.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaIntakeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, String> AUTH =
      Map.of("Authorization", RelayFixture.basic(RelayFixture.WRITE_KEY));
  private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
  private static final Duration READ = Duration.ofSeconds(10);

  @TempDir
  static Path dir;
  EmbeddedKafka kafka;
  String intake;
  String deadLetters;
  String links;
  RelayFixture fx;

  @BeforeAll
  void start() {
    kafka = EmbeddedKafka.shared();
    intake = EmbeddedKafka.unique("intake");
    deadLetters = EmbeddedKafka.unique("dead");
    links = EmbeddedKafka.unique("links");
    fx = new RelayFixture(dir, RelayFixture.baseYaml(dir, clusterYaml(kafka.bootstrapServers(),
        intake, deadLetters, links), "http://127.0.0.1:1"));
    fx.relay = RelayFixture.await(Relay.start(fx.vertx, fx.config, new ManualClock(NOW),
        r -> new RelayFixture.RecordingDelivery()));
  }

  static String clusterYaml(String brokers, String intake, String deadLetters, String links) {
    return """
        engine: kafka
        role: intake
        kafka:
          bootstrapServers: "%s"
          intakeTopic: %s
          deadLetterTopic: %s
          linksTopic: %s
          partitions: 3
        """.formatted(brokers, intake, deadLetters, links);
  }

  @AfterAll
  void stop() {
    fx.close();
  }

  @Test
  @DisplayName("a batch is answered 200 once its records are in the topic, keyed by anonymousId,"
      + " else userId, with the source and appended-at headers and the normalised JSON")
  void batchRecordsAreInTheTopicWhenTheClientGets200() throws Exception {
    HttpResponse<Buffer> r = fx.post("/v1/batch", """
        {"batch":[{"type":"track","anonymousId":"anon-1","userId":"user-1","event":"Both"},
                  {"type":"track","userId":"user-2","event":"User only"},
                  {"type":"identify","anonymousId":"","userId":"user-3"}]}""", AUTH);
    assertThat(r.statusCode()).isEqualTo(200);

    List<ConsumerRecord<String, byte[]>> records = kafka.readAll(intake, 3, READ);
    assertThat(records).extracting(ConsumerRecord::key)
        .containsExactlyInAnyOrder("anon-1", "user-2", "user-3");
    for (ConsumerRecord<String, byte[]> rec : records) {
      assertThat(header(rec, KafkaRecords.SOURCE))
          .isEqualTo("source-0".getBytes(StandardCharsets.UTF_8));
      assertThat(header(rec, KafkaRecords.APPENDED_AT)).hasSize(8);
      assertThat(KafkaRecords.appendedAtMillis(rec.headers())).isEqualTo(NOW.toEpochMilli());
      JsonNode message = JSON.readTree(rec.value());
      assertThat(message.get("messageId").asText()).isNotEmpty();
      assertThat(message.get("receivedAt").asText()).isEqualTo(NOW.toString());
      assertThat(message.has("timestamp")).isTrue();
    }
    JsonNode both = JSON.readTree(records.stream().filter(x -> x.key().equals("anon-1"))
        .findFirst().orElseThrow().value());
    assertThat(both.get("event").asText()).isEqualTo("Both");
    assertThat(both.get("userId").asText()).isEqualTo("user-1");
  }

  @Test
  void trackIsAnswered200OnceItsRecordIsInTheTopic() throws Exception {
    String topicKey = "track-user-" + System.nanoTime();
    HttpResponse<Buffer> r = fx.post("/v1/track",
        "{\"userId\":\"" + topicKey + "\",\"event\":\"Signed Up\"}", AUTH);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getBoolean("success")).isTrue();
    List<ConsumerRecord<String, byte[]>> mine = kafka.readAll(intake, 1, READ).stream()
        .filter(x -> topicKey.equals(x.key())).toList();
    assertThat(mine).hasSize(1);
    assertThat(JSON.readTree(mine.get(0).value()).get("type").asText()).isEqualTo("track");
  }

  @Test
  void aBatchForOneKeyKeepsItsOrder() throws Exception {
    String device = "ordered-" + System.nanoTime();
    StringBuilder batch = new StringBuilder("{\"batch\":[");
    for (int i = 0; i < 300; i++) {
      batch.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"anonymousId\":\"")
          .append(device).append("\",\"event\":\"E\",\"properties\":{\"i\":").append(i)
          .append("}}");
    }
    assertThat(fx.post("/v1/batch", batch.append("]}").toString(), AUTH).statusCode())
        .isEqualTo(200);
    List<Integer> order = new java.util.ArrayList<>();
    for (ConsumerRecord<String, byte[]> rec : kafka.readAll(intake, 300, READ)) {
      if (device.equals(rec.key())) {
        order.add(JSON.readTree(rec.value()).at("/properties/i").asInt());
      }
    }
    assertThat(order).hasSize(300).isSorted();
  }

  @Test
  @DisplayName("the topics are created at start: intake and dead letters with kafka.partitions,"
      + " links compacted")
  void topicsAreCreatedOnStart() throws Exception {
    var admin = kafka.admin();
    Map<String, TopicDescription> topics = admin.describeTopics(List.of(intake, deadLetters, links))
        .allTopicNames().get(10, TimeUnit.SECONDS);
    assertThat(topics.get(intake).partitions()).hasSize(3);
    assertThat(topics.get(deadLetters).partitions()).hasSize(3);
    assertThat(topics.get(links).partitions()).hasSize(3);
    ConfigResource linksResource = new ConfigResource(ConfigResource.Type.TOPIC, links);
    var configs = admin.describeConfigs(List.of(linksResource)).all().get(10, TimeUnit.SECONDS);
    assertThat(configs.get(linksResource).get("cleanup.policy").value()).isEqualTo("compact");
  }

  @Test
  @DisplayName("an intake node is ready, serves health and metrics, and runs no SQLite log")
  void anIntakeNodeIsReadyAndUsesNoStorageDir() {
    HttpResponse<Buffer> ready = fx.get("/ready");
    assertThat(ready.statusCode()).as(ready.bodyAsString()).isEqualTo(200);
    assertThat(fx.get("/health").statusCode()).isEqualTo(200);
    assertThat(fx.get("/metrics").bodyAsString())
        .containsPattern("(?m)^mixrelay_intake_back_pressure 0(\\.0)?$");
    assertThat(fx.relay.log()).as("no SQLite log").isNull();
    assertThat(Files.exists(dir.resolve("mixrelay.db"))).isFalse();
    assertThat(Files.exists(dir.resolve("mixrelay.lock"))).isFalse();
  }

  @Test
  @DisplayName("a processor node serves health, readiness and metrics but no Segment API")
  void aProcessorNodeServesNoIntake(@TempDir Path own) {
    String yaml = clusterYaml(kafka.bootstrapServers(), intake, deadLetters, links)
        .replace("role: intake", "role: processor")
        .replace("  partitions: 3", "  partitions: 3\n  applicationId: " + EmbeddedKafka.unique("app")
            + "\n  stateDir: \"" + own.resolve("streams").toString().replace("\\", "/") + "\"");
    try (RelayFixture processor = new RelayFixture(own, RelayFixture.baseYaml(own, yaml,
        "http://127.0.0.1:1"))) {
      processor.relay = RelayFixture.await(Relay.start(processor.vertx, processor.config,
          new ManualClock(NOW), r -> new RelayFixture.RecordingDelivery()));
      assertThat(processor.post("/v1/track", "{\"userId\":\"u\",\"event\":\"E\"}", AUTH)
          .statusCode()).isEqualTo(404);
      assertThat(processor.get("/health").statusCode()).isEqualTo(200);
      // ready once its Kafka Streams instance is RUNNING
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      HttpResponse<Buffer> ready = processor.get("/ready");
      while (ready.statusCode() != 200 && System.nanoTime() < deadline) {
        ready = processor.get("/ready"); // the test thread polls, never an event loop
      }
      assertThat(ready.statusCode()).as(ready.bodyAsString()).isEqualTo(200);
      assertThat(processor.get("/metrics").bodyAsString())
          .contains("mixrelay_kafka_streams_running 1.0");
    }
  }

  private static byte[] header(ConsumerRecord<String, byte[]> rec, String key) {
    var h = rec.headers().lastHeader(key);
    return h == null ? null : h.value();
  }
}

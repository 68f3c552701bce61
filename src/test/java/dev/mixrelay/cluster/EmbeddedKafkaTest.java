package dev.mixrelay.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The shared test broker takes records and reads them back, partition by partition in order. */
class EmbeddedKafkaTest {

  @Test
  void readAllReturnsEveryRecordOfTheTopicInOffsetOrderPerPartition() throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.shared();
    String topic = EmbeddedKafka.unique("smoke");
    kafka.createTopic(topic, 2);
    try (var producer = new KafkaProducer<>(Map.<String, Object>of(
        "bootstrap.servers", kafka.bootstrapServers()), new StringSerializer(),
        new ByteArraySerializer())) {
      for (int i = 0; i < 10; i++) {
        producer.send(new ProducerRecord<>(topic, i % 2, "k" + (i % 2),
            ("v" + i).getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
    }
    var records = kafka.readAll(topic, 10, Duration.ofSeconds(10));
    assertThat(records).hasSize(10);
    assertThat(records.subList(0, 5)).allMatch(r -> r.partition() == 0 && r.key().equals("k0"));
    assertThat(records.subList(0, 5)).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
        .containsExactly("v0", "v2", "v4", "v6", "v8");
    assertThat(kafka.readAll(topic, 10, Duration.ofSeconds(10))).as("read again").hasSize(10);
  }
}

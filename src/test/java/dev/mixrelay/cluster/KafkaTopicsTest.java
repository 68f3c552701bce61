package dev.mixrelay.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Missing topics are created; existing ones are never changed, only reported. */
class KafkaTopicsTest {
  private final EmbeddedKafka kafka = EmbeddedKafka.shared();

  @Test
  void anExistingTopicWithFewerPartitionsIsReportedAndLeftAsItIs() throws Exception {
    String existing = EmbeddedKafka.unique("existing");
    String missing = EmbeddedKafka.unique("missing");
    kafka.createTopic(existing, 1);
    Logger logger = (Logger) LoggerFactory.getLogger(KafkaTopics.class);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    logger.addAppender(logged);
    try (KafkaTopics topics = KafkaTopics.connect(kafka.bootstrapServers(),
        Duration.ofSeconds(5))) {
      List<String> created = topics.ensure(List.of(KafkaTopics.Topic.of(existing, 3, 1),
          KafkaTopics.Topic.of(missing, 2, 1)));
      assertThat(created).containsExactly(missing);
      assertThat(topics.ensure(List.of(KafkaTopics.Topic.of(missing, 2, 1))))
          .as("a second start creates nothing").isEmpty();
    } finally {
      logger.detachAppender(logged);
    }
    var described = kafka.admin().describeTopics(List.of(existing, missing)).allTopicNames()
        .get(10, TimeUnit.SECONDS);
    assertThat(described.get(existing).partitions()).hasSize(1);
    assertThat(described.get(missing).partitions()).hasSize(2);
    assertThat(logged.list).anySatisfy(e -> {
      assertThat(e.getLevel().toString()).isEqualTo("WARN");
      assertThat(e.getFormattedMessage()).contains(existing, "1 partitions", "3 configured");
    });
  }
}

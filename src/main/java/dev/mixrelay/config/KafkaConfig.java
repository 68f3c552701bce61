package dev.mixrelay.config;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * The Kafka cluster that {@code engine: kafka} runs on: where the brokers are, the topics the
 * relay produces to and reads from, and the Kafka Streams application the processors form.
 * Topics are created at start when missing, with {@code partitions} and {@code replicationFactor}.
 *
 * @param bootstrapServers the brokers, {@code host:port[,host:port...]}
 * @param intakeTopic accepted Segment messages, keyed by the identity key (anonymousId, else userId)
 * @param deadLetterTopic what Mixpanel refused and what could not be translated, with the reason
 * @param linksTopic compacted device → user links, read by every processor as a global store
 * @param applicationId the Kafka Streams application (consumer group) of the processors
 * @param partitions partitions of the topics the relay creates (intake, repartition, handoffs)
 * @param replicationFactor replicas of each topic the relay creates
 * @param stateDir where each processor keeps its local state stores
 * @param commitInterval how often processors commit a transaction (state, outgoing records,
 *     input offsets)
 * @param reorderWindow how long a session task keeps a user-keyed record before it runs it, so
 *     the records of one user that reached it from several intake partitions run in the order
 *     intake accepted them (the skew between the partitions' processing it absorbs); 0 runs them
 *     as they come
 * @param properties Kafka client settings passed to every producer, consumer, admin and Streams
 *     client the relay makes (security: {@code security.protocol}, {@code sasl.*}, {@code ssl.*};
 *     timeouts such as {@code session.timeout.ms}); the relay's own settings win where they meet
 */
public record KafkaConfig(String bootstrapServers, String intakeTopic, String deadLetterTopic,
    String linksTopic, String applicationId, Integer partitions, Integer replicationFactor,
    String stateDir, Duration commitInterval, Duration reorderWindow,
    Map<String, String> properties) {

  public KafkaConfig {
    bootstrapServers = bootstrapServers == null ? "localhost:9092" : bootstrapServers;
    intakeTopic = intakeTopic == null ? "mixrelay-intake" : intakeTopic;
    deadLetterTopic = deadLetterTopic == null ? "mixrelay-dead-letters" : deadLetterTopic;
    linksTopic = linksTopic == null ? "mixrelay-links" : linksTopic;
    applicationId = applicationId == null ? "mixrelay" : applicationId;
    partitions = partitions == null ? 6 : partitions;
    replicationFactor = replicationFactor == null ? 1 : replicationFactor;
    stateDir = stateDir == null ? "./data/kafka-streams" : stateDir;
    commitInterval = commitInterval == null ? Duration.ofMillis(100) : commitInterval;
    reorderWindow = reorderWindow == null ? Duration.ofSeconds(5) : reorderWindow;
    properties = properties == null ? Map.of() : Map.copyOf(properties);
  }

  /** The client settings as Kafka's {@code Properties}, for a client to add its own to. */
  public Properties clientProperties() {
    Properties p = new Properties();
    p.putAll(properties);
    p.put("bootstrap.servers", bootstrapServers);
    return p;
  }

  static KafkaConfig defaults() {
    return new KafkaConfig(null, null, null, null, null, null, null, null, null, null, null);
  }

  void check(String path, Checks c) {
    c.require(!bootstrapServers.isBlank(), path + ".bootstrapServers", "must name a broker", null);
    for (var t : new String[][] {{"intakeTopic", intakeTopic}, {"deadLetterTopic", deadLetterTopic},
        {"linksTopic", linksTopic}, {"applicationId", applicationId}}) {
      c.require(t[1].matches("[A-Za-z0-9._-]{1,200}"), path + "." + t[0],
          "must be 1-200 letters, digits, '.', '_' or '-'", "'" + t[1] + "'");
    }
    c.require(!intakeTopic.equals(deadLetterTopic) && !intakeTopic.equals(linksTopic)
        && !deadLetterTopic.equals(linksTopic), path, "topics must be three different topics",
        null);
    c.range(partitions, 1, 10_000, path + ".partitions");
    c.range(replicationFactor, 1, 32, path + ".replicationFactor");
    c.require(!stateDir.isBlank(), path + ".stateDir", "must not be empty", null);
    c.between(commitInterval, Duration.ofMillis(100), Duration.ofMinutes(1),
        path + ".commitInterval");
    c.between(reorderWindow, Duration.ZERO, Duration.ofMinutes(10), path + ".reorderWindow");
    properties.forEach((k, v) -> c.require(k != null && !k.isBlank() && v != null,
        path + ".properties", "must map Kafka client setting names to values", null));
  }
}

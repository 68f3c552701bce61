package dev.mixrelay.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node Kafka cluster (KRaft, one combined broker and controller) inside the test
 * JVM, on a free loopback port. {@link #shared()} starts one the first time it is asked for and
 * stops it when the JVM exits, so every test class of a run pays the start-up (a few seconds)
 * once; tests keep apart by their own topic names and application ids ({@link #unique}).
 *
 * <p>Settings for one broker: internal topics with one replica and few partitions, no delay
 * before a group's first rebalance, and no topic auto-creation (a topic exists only when a test
 * or the code under test creates it).
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final AtomicInteger NAMES = new AtomicInteger();
  private static EmbeddedKafka shared;

  private final KafkaClusterTestKit cluster;
  private final Admin admin;

  private EmbeddedKafka(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
    this.admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()));
  }

  /** The JVM's one broker, started on first use and stopped at exit. Do not close it. */
  public static synchronized EmbeddedKafka shared() {
    if (shared == null) {
      EmbeddedKafka started = start();
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "embedded-kafka-stop"));
      shared = started;
    }
    return shared;
  }

  /** A broker of its own (a test that stops it); closing it is the caller's job. */
  public static EmbeddedKafka start() {
    try {
      TestKitNodes nodes = new TestKitNodes.Builder()
          .setCombined(true)
          .setNumBrokerNodes(1)
          .setNumControllerNodes(1)
          .build();
      KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
          .setConfigProp("auto.create.topics.enable", "false")
          .setConfigProp("num.partitions", "1")
          .setConfigProp("offsets.topic.replication.factor", "1")
          .setConfigProp("offsets.topic.num.partitions", "4")
          .setConfigProp("transaction.state.log.replication.factor", "1")
          .setConfigProp("transaction.state.log.min.isr", "1")
          .setConfigProp("transaction.state.log.num.partitions", "4")
          .setConfigProp("group.initial.rebalance.delay.ms", "0")
          .build();
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
      return new EmbeddedKafka(cluster);
    } catch (Exception e) {
      throw new IllegalStateException("the embedded Kafka broker did not start: " + e, e);
    }
  }

  /** {@code host:port} of the broker. */
  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  /** A name no other test of this JVM uses: {@code prefix-N-xxxxxx}. */
  public static String unique(String prefix) {
    return prefix + "-" + NAMES.incrementAndGet() + "-"
        + UUID.randomUUID().toString().substring(0, 6);
  }

  /** Creates a topic with one replica and waits until it exists. */
  public void createTopic(String name, int partitions) {
    try {
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all()
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create topic " + name + ": " + e, e);
    }
  }

  /** An admin client of this broker, shared by the tests; closed with the broker. */
  public Admin admin() {
    return admin;
  }

  /**
   * Every record of the topic, partition by partition in offset order, once at least {@code
   * expectedCount} were read and the consumer reached the end of every partition; fewer when
   * {@code timeout} passes first (the caller's assertion then says what is missing). Reads without
   * a consumer group, so it commits nothing and sees records of committed transactions only.
   */
  public List<ConsumerRecord<String, byte[]>> readAll(String topic, int expectedCount,
      Duration timeout) {
    Map<String, Object> props = Map.of(
        "bootstrap.servers", bootstrapServers(),
        "enable.auto.commit", false,
        "auto.offset.reset", "earliest",
        "isolation.level", "read_committed");
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props,
        new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer.partitionsFor(topic, timeout)
          .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> read = new java.util.TreeMap<>(
          java.util.Comparator.comparingInt(TopicPartition::partition));
      partitions.forEach(p -> read.put(p, new ArrayList<>()));
      int count = 0;
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          read.get(new TopicPartition(r.topic(), r.partition())).add(r);
          count++;
        }
        if (count >= expectedCount && atEnd(consumer, Set.copyOf(partitions))) {
          break;
        }
      }
      List<ConsumerRecord<String, byte[]>> all = new ArrayList<>(count);
      read.values().forEach(all::addAll);
      return all;
    }
  }

  private static boolean atEnd(KafkaConsumer<String, byte[]> consumer, Set<TopicPartition> parts) {
    Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(5));
    return parts.stream().allMatch(p -> consumer.position(p) >= end.get(p));
  }

  /** Stops the broker and deletes its data. */
  @Override
  public void close() {
    try {
      admin.close(Duration.ofSeconds(2));
      cluster.close();
    } catch (Exception e) {
      throw new IllegalStateException("the embedded Kafka broker did not stop cleanly: " + e, e);
    }
  }
}

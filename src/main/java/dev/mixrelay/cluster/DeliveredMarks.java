package dev.mixrelay.cluster;

import java.time.Duration;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery stage's durable marks on the compacted {@code <applicationId>-delivered} topic:
 * which profile and group operations of outgoing records not yet committed Mixpanel already took,
 * so a consumer that takes a partition over after a crash sends only the rest (Mixpanel applies
 * every {@code $add}, {@code $append}, {@code $union} and group operation it gets; events are
 * de-duplicated by {@code $insert_id} and need no mark).
 *
 * <p>A mark is a record keyed {@code <outgoing partition>:<offset>:<index>} (the index of the
 * Mixpanel record in the outgoing record's value), written with {@code acks=all} after Mixpanel
 * accepted its request and before the offset is committed, in the partition {@code outgoing
 * partition % partitions}; once the offset is committed a tombstone removes it, so compaction
 * keeps the topic to the marks of uncommitted records.
 */
final class DeliveredMarks {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveredMarks.class);
  private static final byte[] MARK = {1};
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

  private final Producer<String, byte[]> producer;
  private final String topic;
  private final Properties consumerProps;
  private volatile int partitions;

  /**
   * @param producer an idempotent {@code acks=all} producer (the processor's dead-letter one)
   * @param consumerProps client settings for reading the marks back (bootstrap, security)
   */
  DeliveredMarks(Producer<String, byte[]> producer, String topic, Properties consumerProps) {
    this.producer = producer;
    this.topic = topic;
    this.consumerProps = consumerProps;
  }

  /** Writes a mark; the future completes once the brokers have it (or its write failed, logged). */
  CompletableFuture<Void> mark(TopicPartition tp, long offset, int index) {
    CompletableFuture<Void> acked = new CompletableFuture<>();
    producer.send(new ProducerRecord<>(topic, partitionOf(tp), key(tp, offset, index), MARK),
        (md, e) -> {
          if (e != null) {
            LOG.warn("a delivery mark could not be written ({}); a crash before its offset commits"
                + " would send that operation again", e.getMessage());
          }
          acked.complete(null);
        });
    return acked;
  }

  /** Removes the marks of committed records (fire and forget: a lost tombstone costs space only). */
  void forget(TopicPartition tp, long offset, BitSet indexes) {
    for (int i = indexes.nextSetBit(0); i >= 0; i = indexes.nextSetBit(i + 1)) {
      producer.send(new ProducerRecord<>(topic, partitionOf(tp), key(tp, offset, i), null));
    }
  }

  /**
   * Reads the marks of {@code assigned} at or after their committed offsets back from the topic,
   * and removes those below them (left by a crash between a commit and its tombstones). Blocking.
   */
  Map<TopicPartition, TreeMap<Long, BitSet>> load(Collection<TopicPartition> assigned,
      Map<TopicPartition, OffsetAndMetadata> committed) {
    Map<TopicPartition, TreeMap<Long, BitSet>> out = new HashMap<>();
    if (assigned.isEmpty()) {
      return out;
    }
    Map<Integer, TopicPartition> byNumber = new HashMap<>();
    Set<TopicPartition> markPartitions = new HashSet<>();
    for (TopicPartition tp : assigned) {
      byNumber.put(tp.partition(), tp);
      markPartitions.add(new TopicPartition(topic, partitionOf(tp)));
    }
    Properties p = new Properties();
    p.putAll(consumerProps);
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    Map<String, Boolean> live = new HashMap<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      c.assign(markPartitions);
      c.seekToBeginning(markPartitions);
      Map<TopicPartition, Long> end = c.endOffsets(markPartitions, READ_TIMEOUT);
      long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
      while (!reached(c, end)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the delivery marks of " + assigned
              + " could not be read within " + READ_TIMEOUT.toSeconds() + " s");
        }
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          live.put(r.key(), r.value() != null);
        }
      }
    }
    int kept = 0;
    for (Map.Entry<String, Boolean> e : live.entrySet()) {
      String[] parts = e.getKey().split(":");
      TopicPartition tp = parts.length == 3 ? byNumber.get(Integer.parseInt(parts[0])) : null;
      if (!e.getValue() || tp == null) {
        continue;
      }
      long offset = Long.parseLong(parts[1]);
      int index = Integer.parseInt(parts[2]);
      OffsetAndMetadata c = committed.get(tp);
      if (c != null && offset < c.offset()) {
        BitSet one = new BitSet();
        one.set(index);
        forget(tp, offset, one);
        continue;
      }
      out.computeIfAbsent(tp, x -> new TreeMap<>()).computeIfAbsent(offset, x -> new BitSet())
          .set(index);
      kept++;
    }
    if (kept > 0) {
      LOG.info("{} operations of {} that Mixpanel already took are not sent again", kept, assigned);
    }
    return out;
  }

  private static boolean reached(KafkaConsumer<String, byte[]> c, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (c.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private int partitionOf(TopicPartition tp) {
    int n = partitions;
    if (n == 0) {
      n = producer.partitionsFor(topic).size();
      partitions = n;
    }
    return tp.partition() % n;
  }

  static String key(TopicPartition tp, long offset, int index) {
    return tp.partition() + ":" + offset + ":" + index;
  }
}

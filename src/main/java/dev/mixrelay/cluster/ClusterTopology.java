package dev.mixrelay.cluster;

import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.config.KafkaConfig;
import dev.mixrelay.config.RelayConfig;
import dev.mixrelay.config.SourceConfig;
import dev.mixrelay.ops.Metrics;
import dev.mixrelay.translate.Translator;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The processors' Kafka Streams topology (Processor API):
 *
 * <pre>
 *  intake topic ──▶ route ──▶ user-keyed topic ─┐
 *   (by anonymousId,   │  └──▶ links topic ──▶ global links store (read by route)
 *    else userId)      └──────────────┐          │
 *                                     ▼          ▼
 *  handoff topic ──────────────────▶ session ──▶ outgoing topic ──▶ delivery stage ──▶ Mixpanel
 *        ▲                              │   └──▶ dead-letter topic        (plain consumers,
 *        └──────────────────────────────┘        see DeliveryStage)        read_committed)
 *        (a device's open session, to its user's task)
 * </pre>
 *
 * The stages run with {@code exactly_once_v2}: a session task's state, its outgoing, handoff and
 * dead-letter records and its input offsets commit in one transaction.
 *
 * The user-keyed and handoff topics are co-partitioned (same partition count and the same key
 * hash, {@link Keys#partition}), so a user's records and the sessions handed to it meet on one
 * task.
 */
final class ClusterTopology {
  static final String USERS_SINK = "to-users";
  static final String LINKS_SINK = "to-links";
  static final String HANDOFF_SINK = "to-handoffs";
  static final String OUTGOING_SINK = "to-outgoing";
  /** The largest state-store entry (changelog record) a session task may write. */
  static final int MAX_STATE_ENTRY_BYTES = 64 << 20;
  /** Each stage has its own dead-letter sink: one sink with two parents would join the stages. */
  static final String ROUTE_DEAD_LETTER_SINK = "route-to-dead-letters";
  static final String DEAD_LETTER_SINK = "session-to-dead-letters";

  /** What the processors need to know of the config. */
  record Settings(Map<String, DestinationConfig> destinations,
      Map<String, List<DestinationConfig>> destinationsBySource, int partitions, String intakeTopic,
      String usersTopic, String handoffTopic, String linksTopic, String deadLetterTopic,
      String outgoingTopic, Duration handoffWait, TaskGauges gauges,
      Map<String, Long> dedupWindowMillis, Duration reorderWindow) {

    static Settings of(RelayConfig config) {
      KafkaConfig k = config.kafka();
      // every destination the source feeds, each its own user-keyed record (fan-out)
      Map<String, List<DestinationConfig>> bySource = new LinkedHashMap<>();
      for (SourceConfig s : config.sources()) {
        List<DestinationConfig> fed = new ArrayList<>();
        for (String name : s.destinationNames()) {
          DestinationConfig d = config.destinations().get(name);
          if (d != null) {
            fed.add(d);
          }
        }
        bySource.put(s.name(), List.copyOf(fed));
      }
      return new Settings(config.destinations(), bySource, k.partitions(), k.intakeTopic(),
          ClusterTopology.usersTopic(k), ClusterTopology.handoffTopic(k), k.linksTopic(),
          k.deadLetterTopic(), ClusterTopology.outgoingTopic(k),
          Duration.ofMinutes(2), new TaskGauges(), config.dedupWindowMillisBySource(),
          k.reorderWindow());
    }

    Set<String> internalTopics() {
      return Set.of(usersTopic, handoffTopic);
    }
  }

  /** The user-keyed topic the identity stage writes and the session stage reads. */
  static String usersTopic(KafkaConfig k) {
    return k.applicationId() + "-by-user";
  }

  /** The topic a task hands a device's open session to the task owning its user through. */
  static String handoffTopic(KafkaConfig k) {
    return k.applicationId() + "-handoffs";
  }

  /** The compacted topic of the delivery stage's marks ({@link DeliveredMarks}). */
  static String deliveredTopic(KafkaConfig k) {
    return k.applicationId() + "-delivered";
  }

  /** The topic the session stage writes Mixpanel records to and the delivery stage reads. */
  static String outgoingTopic(KafkaConfig k) {
    return k.applicationId() + "-outgoing";
  }

  private ClusterTopology() {}

  static Topology build(Settings s, Translator translator, Metrics metrics, Clock clock) {
    StringSerializer keys = new StringSerializer();
    ByteArraySerializer bytes = new ByteArraySerializer();
    StreamPartitioner<String, byte[]> byKey = new StreamPartitioner<>() {
      @Override
      public Optional<Set<Integer>> partitions(String topic, String key, byte[] value,
          int numPartitions) {
        return Optional.of(Set.of(Keys.partition(key, numPartitions)));
      }
    };
    Topology t = new Topology();
    t.addGlobalStore(Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(RouteProcessor.LINKS_STORE), Serdes.String(),
            Serdes.String()).withLoggingDisabled(),
        "links-source", new StringDeserializer(), new StringDeserializer(), s.linksTopic(),
        "links-loader", () -> new LinksLoader());
    t.addSource("intake", new StringDeserializer(), new ByteArrayDeserializer(), s.intakeTopic());
    t.addProcessor("route", () -> new RouteProcessor(s.destinationsBySource(), s.partitions(),
        translator, metrics, s.dedupWindowMillis()), "intake");
    // the messageId window: (intake key, source, messageId) → when it ends; exactly-once with
    // the forwarded records, so a repeat is dropped once and only once
    t.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(RouteProcessor.DEDUP_STORE), Serdes.String(),
        Serdes.Long()), "route");
    t.addSink(USERS_SINK, s.usersTopic(), keys, bytes, byKey, "route");
    t.addSink(LINKS_SINK, s.linksTopic(), keys, bytes, "route");
    t.addSource("users", new StringDeserializer(), new ByteArrayDeserializer(), s.usersTopic(),
        s.handoffTopic());
    t.addProcessor("session", () -> new SessionProcessor(s, translator, metrics, clock),
        "users");
    // written once per Kafka Streams call: the cache keeps only a key's last write per commit; an
    // entry may pass Kafka's 1 MiB default (the sessionizer's handoff entry holds every parked
    // user of the task), so its changelog takes up to MAX_STATE_ENTRY_BYTES
    t.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(SessionProcessor.STATE_STORE), Serdes.String(),
        Serdes.ByteArray()).withCachingEnabled().withLoggingEnabled(Map.of(
            TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(MAX_STATE_ENTRY_BYTES))),
        "session");
    // the user-keyed records a task keeps for kafka.reorderWindow, by intake time; not cached: a
    // kept record outlives a commit interval, so a cache would only hold the records' bytes and
    // crowd the session state out of the thread's cache
    t.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(SessionProcessor.REORDER_STORE), Serdes.String(),
        Serdes.ByteArray()), "session");
    t.addSink(OUTGOING_SINK, s.outgoingTopic(), keys, bytes, byKey, "session");
    t.addSink(HANDOFF_SINK, s.handoffTopic(), keys, bytes, byKey, "session");
    // one sink per stage: a sink shared by both would make them one sub-topology, whose tasks'
    // stream time would then include the intake topic's (wall-clock) record times
    t.addSink(ROUTE_DEAD_LETTER_SINK, s.deadLetterTopic(), keys, bytes, "route");
    t.addSink(DEAD_LETTER_SINK, s.deadLetterTopic(), keys, bytes, "session");
    return t;
  }

  /**
   * Keeps the earliest link of a device (the links topic may also hold later ones, from another
   * partition or a replay).
   */
  private static final class LinksLoader implements Processor<String, String, Void, Void> {
    private KeyValueStore<String, String> store;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      store = context.getStateStore(RouteProcessor.LINKS_STORE);
    }

    @Override
    public void process(Record<String, String> record) {
      if (record.key() == null) {
        return;
      }
      RouteProcessor.Link offered = RouteProcessor.Link.decode(record.value());
      RouteProcessor.Link kept = RouteProcessor.Link.decode(store.get(record.key()));
      if (offered != null && (kept == null || offered.time() < kept.time())) {
        store.put(record.key(), record.value());
      }
    }
  }

}

package dev.mixrelay.cluster;

import dev.mixrelay.config.KafkaConfig;
import dev.mixrelay.config.RelayConfig;
import dev.mixrelay.deliver.Delivery;
import dev.mixrelay.ops.Metrics;
import dev.mixrelay.translate.Translator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A processor of an {@code engine: kafka} cluster: one Kafka Streams instance running the
 * {@link ClusterTopology} (identity stage, session stage; {@code exactly_once_v2}) and the
 * {@link DeliveryStage} that delivers the outgoing topic to Mixpanel, whose dead letters go to
 * the dead-letter topic. Instances sharing {@code kafka.applicationId} split the partitions
 * between them; a task that moves resumes from its changelogged state.
 */
public final class ClusterProcessor {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterProcessor.class);

  private final RelayConfig config;
  private final ClusterTopology.Settings settings;
  private final Delivery delivery;
  private final KafkaProducer<String, byte[]> deadLetters;
  private final KafkaStreams streams;
  private final DeliveryStage deliveryStage;
  private static final long PURGE_EVERY_MS = 30_000;
  private long purgeTimer = -1;
  private volatile Throwable fatal;

  private ClusterProcessor(RelayConfig config, ClusterTopology.Settings settings,
      Delivery delivery, KafkaProducer<String, byte[]> deadLetters, KafkaStreams streams,
      DeliveryStage deliveryStage) {
    this.deliveryStage = deliveryStage;
    this.config = config;
    this.settings = settings;
    this.delivery = delivery;
    this.deadLetters = deadLetters;
    this.streams = streams;
  }

  /**
   * Starts the Streams instance and the delivery stage (off the event loop), once the topics
   * exist ({@link ClusterTopics}).
   * Completes once it is started, not once it is RUNNING: readiness tells that.
   */
  public static Future<ClusterProcessor> start(Vertx vertx, RelayConfig config, Clock clock,
      Translator translator, Metrics metrics) {
    ClusterTopology.Settings settings = ClusterTopology.Settings.of(config);
    return vertx.executeBlocking(() -> {
      KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProps(config.kafka()),
          new StringSerializer(), new ByteArraySerializer());
      Delivery delivery = Delivery.create(vertx, DeadLetters.sink(producer,
          settings.deadLetterTopic()), metrics.delivery(), clock);
      KafkaStreams streams = new KafkaStreams(ClusterTopology.build(settings, translator,
          metrics, clock), streamsProps(config.kafka()));
      DeliveryStage stage = new DeliveryStage(config.kafka().clientProperties(),
          config.kafka().applicationId() + "-delivery", settings.outgoingTopic(),
          config.destinations(), delivery, new DeliveredMarks(producer,
              ClusterTopology.deliveredTopic(config.kafka()),
              config.kafka().clientProperties()), 1);
      ClusterProcessor p = new ClusterProcessor(config, settings, delivery, producer, streams,
          stage);
      streams.setUncaughtExceptionHandler(e -> {
        LOG.warn("a stream thread failed; it is replaced and its tasks start over from their last"
            + " commit: {}", rootMessage(e));
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
      });
      streams.setStateListener((now, before) -> LOG.info("Kafka Streams {} -> {}", before, now));
      streams.start();
      stage.start();
      p.registerGauges(metrics);
      return p;
    }).onSuccess(p -> p.purgeTimer = vertx.setPeriodic(PURGE_EVERY_MS,
        t -> vertx.executeBlocking(() -> {
          p.purge();
          return null;
        }, false)));
  }

  private static Properties streamsProps(KafkaConfig k) {
    Properties p = k.clientProperties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, k.applicationId());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, k.bootstrapServers());
    p.put(StreamsConfig.STATE_DIR_CONFIG, k.stateDir());
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, k.commitInterval().toMillis());
    // state, outgoing records and input offsets commit in one transaction
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    // a stream thread is what one core runs (see the README's cluster benchmark): one per core,
    // at most one per partition; kafka.properties may set it
    p.putIfAbsent(StreamsConfig.NUM_STREAM_THREADS_CONFIG, String.valueOf(Math.max(1,
        Math.min(Runtime.getRuntime().availableProcessors(), k.partitions()))));
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, k.replicationFactor());
    p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
    // room for the largest state entry (see ClusterTopology.MAX_STATE_ENTRY_BYTES)
    p.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
        ClusterTopology.MAX_STATE_ENTRY_BYTES + (1 << 20));
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    p.putIfAbsent(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 32L << 20);
    return p;
  }

  private static Properties producerProps(KafkaConfig k) {
    Properties p = k.clientProperties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, k.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, k.applicationId() + "-dead-letters");
    return p;
  }

  /**
   * Deletes what every processor has committed from the user-keyed and handoff topics (they keep
   * records forever otherwise, since event times can be older than any retention period).
   */
  void purge() {
    try (Admin admin = Admin.create(config.kafka().clientProperties())) {
      Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata>
          committed = admin.listConsumerGroupOffsets(config.kafka().applicationId())
          .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
      Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.RecordsToDelete>
          delete = new HashMap<>();
      committed.forEach((tp, om) -> {
        if (om != null && settings.internalTopics().contains(tp.topic())) {
          delete.put(tp, org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(
              om.offset()));
        }
      });
      if (!delete.isEmpty()) {
        admin.deleteRecords(delete).all().get(30, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      LOG.warn("purging processed records from {} failed (retried later): {}",
          settings.internalTopics(), rootMessage(e));
    }
  }

  private void registerGauges(Metrics metrics) {
    for (String topic : List.of(settings.intakeTopic(), settings.usersTopic(),
        settings.handoffTopic())) {
      for (int i = 0; i < settings.partitions(); i++) {
        String partition = Integer.toString(i);
        metrics.gauge("mixrelay_kafka_consumer_lag_records", "records behind the end of a"
            + " partition this processor reads (0 when another processor has it)",
            () -> lag(topic, partition), "topic", topic, "partition", partition);
      }
    }
    metrics.gauge("mixrelay_sessions_open", "open sessions on this processor's tasks",
        () -> settings.gauges().openSessions());
    metrics.gauge("mixrelay_sessions_parked_events", "events of users whose task waits for a"
        + " device's session to be handed over", () -> settings.gauges().parkedEvents());
    metrics.gauge("mixrelay_kafka_reorder_kept_records", "user-keyed records this processor's"
        + " tasks keep for kafka.reorderWindow before they run them",
        () -> settings.gauges().keptRecords());
    metrics.gauge("mixrelay_kafka_delivery_outstanding_records", "records the delivery stage"
        + " handed to delivery and has not committed yet", () -> deliveryStage.outstanding());
    metrics.gauge("mixrelay_kafka_streams_running", "1 while the Kafka Streams instance is"
        + " RUNNING", () -> streams.state() == KafkaStreams.State.RUNNING ? 1 : 0);
    metrics.gauge("mixrelay_kafka_state_store_bytes", "bytes of the session and links stores on"
        + " this processor (RocksDB: SST files and memtables)", () -> storeBytes());
  }

  private double lag(String topic, String partition) {
    for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
      MetricName n = e.getKey();
      if (n.name().equals("records-lag") && topic.equals(n.tags().get("topic"))
          && partition.equals(n.tags().get("partition"))) {
        Object v = e.getValue().metricValue();
        return v instanceof Number num && !Double.isNaN(num.doubleValue()) ? num.doubleValue() : 0;
      }
    }
    return 0;
  }

  private double storeBytes() {
    double sum = 0;
    for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
      String name = e.getKey().name();
      if (name.equals("total-sst-files-size") || name.equals("size-all-mem-tables")) {
        Object v = e.getValue().metricValue();
        if (v instanceof Number num && !Double.isNaN(num.doubleValue())) {
          sum += num.doubleValue();
        }
      }
    }
    return sum;
  }

  /** Consumer lag per topic-partition this processor reads, for reports. */
  public Map<String, Long> lagByPartition() {
    Map<String, Long> out = new HashMap<>();
    for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
      MetricName n = e.getKey();
      if (n.name().equals("records-lag") && n.tags().containsKey("partition")) {
        Object v = e.getValue().metricValue();
        if (v instanceof Number num && !Double.isNaN(num.doubleValue())) {
          out.put(n.tags().get("topic") + "-" + n.tags().get("partition"), num.longValue());
        }
      }
    }
    return out;
  }

  /** Why this processor is not ready; empty while Streams is RUNNING and delivery accepts. */
  public List<String> notReadyReasons() {
    List<String> reasons = new ArrayList<>();
    KafkaStreams.State state = streams.state();
    if (state != KafkaStreams.State.RUNNING) {
      reasons.add("Kafka Streams is " + state + ", not RUNNING");
    }
    if (!deliveryStage.running()) {
      reasons.add("the delivery stage stopped (see the log); restart the processor");
    }
    for (String d : config.destinations().keySet()) {
      if (!delivery.ready(d)) {
        reasons.add("destination " + d + " is not accepting records (check its credentials)");
      }
    }
    return reasons;
  }

  /** The session tasks' open sessions and parked events, and the consumer lag, for diagnostics. */
  public String describeTasks() {
    return state() + " tasks " + settings.gauges().describe() + " lag " + lagByPartition();
  }

  /** Events parked on this processor's tasks for a handoff (as of their last tick). */
  public long parkedEvents() {
    return settings.gauges().parkedEvents();
  }

  /** Records this processor's session tasks keep for the reorder window (as of their last tick). */
  public long keptRecords() {
    return settings.gauges().keptRecords();
  }

  /** The session tasks this processor runs that have started (restored their state). */
  public int sessionTasks() {
    return settings.gauges().tasks();
  }

  /** The Streams state (CREATED, REBALANCING, RUNNING, ...). */
  public String state() {
    return streams.state().name();
  }

  /**
   * Graceful stop: Streams closes (each task commits), then the delivery stage (what is with
   * delivery is waited for, within the deadline, and committed), then delivery and the
   * dead-letter producer close.
   */
  public Future<Void> stop(Vertx vertx, Duration deadline) {
    if (purgeTimer >= 0) {
      vertx.cancelTimer(purgeTimer);
    }
    return vertx.executeBlocking(() -> {
      streams.close(deadline);
      deliveryStage.close(deadline);
      return null;
    }).compose(v -> delivery.close(deadline)).compose(v -> vertx.executeBlocking(() -> {
      deadLetters.close(Duration.ofSeconds(10));
      return null;
    })).mapEmpty();
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}

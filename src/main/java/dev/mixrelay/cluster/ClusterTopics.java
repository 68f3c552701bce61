package dev.mixrelay.cluster;

import dev.mixrelay.config.KafkaConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every topic of {@code engine: kafka}, in one place (see {@link #wanted}), created when missing
 * before a node opens intake or starts its processor. When the brokers do not answer at start the node starts
 * anyway (its intake refuses until the intake topic exists) and the topics are tried again every
 * 5 s until they are there; when the brokers refuse (too few of them for
 * {@code kafka.replicationFactor}, not authorised) the start fails: an operator must act.
 */
final class ClusterTopics {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterTopics.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final long RETRY_MILLIS = 5_000;
  /** The brokers' default {@code message.max.bytes}; larger records need a topic setting. */
  private static final int KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

  private final Vertx vertx;
  private final KafkaTopics topics;
  private final List<KafkaTopics.Topic> wanted;
  private volatile boolean ensured;
  private boolean closed;
  private long retryTimer = -1;

  private ClusterTopics(Vertx vertx, KafkaTopics topics, List<KafkaTopics.Topic> wanted) {
    this.vertx = vertx;
    this.topics = topics;
    this.wanted = wanted;
  }

  /**
   * Completes after the first attempt: the topics exist, or the brokers did not answer (retried
   * in the background); fails when the brokers refused.
   */
  static Future<ClusterTopics> ensure(Vertx vertx, KafkaConfig kafka, int maxRecordBytes) {
    return vertx.executeBlocking(() -> new ClusterTopics(vertx,
            KafkaTopics.connect(kafka.properties(), kafka.bootstrapServers(), TIMEOUT), wanted(kafka, maxRecordBytes)))
        .compose(t -> t.attempt(true).transform(ar -> ar.succeeded() ? Future.succeededFuture(t)
            : t.close().transform(x -> Future.failedFuture(ar.cause()))));
  }

  /**
   * The cluster's topics, all with {@code kafka.partitions} partitions and {@code
   * kafka.replicationFactor} replicas: intake and dead letters (room for the largest record);
   * the compacted links topic; the user-keyed and handoff topics, co-partitioned (an existing
   * one with another partition count is refused) and kept until processed (their records carry
   * event times, older than any retention; {@link ClusterProcessor} purges what is committed);
   * the outgoing topic (records stamped with the time they were made, default retention); the
   * compacted topic of the delivery stage's marks ({@link DeliveredMarks}: a mark lives until its
   * record's offset commits, then a tombstone removes it).
   */
  static List<KafkaTopics.Topic> wanted(KafkaConfig kafka, int maxRecordBytes) {
    KafkaTopics.Topic intake = KafkaTopics.Topic.of(kafka.intakeTopic(), kafka.partitions(),
        kafka.replicationFactor());
    KafkaTopics.Topic deadLetters = KafkaTopics.Topic.of(kafka.deadLetterTopic(),
        kafka.partitions(), kafka.replicationFactor());
    if (maxRecordBytes > KAFKA_DEFAULT_MAX_MESSAGE_BYTES) {
      intake = intake.with("max.message.bytes", String.valueOf(maxRecordBytes));
      deadLetters = deadLetters.with("max.message.bytes", String.valueOf(maxRecordBytes));
    }
    KafkaTopics.Topic links = KafkaTopics.Topic.of(kafka.linksTopic(), kafka.partitions(),
        kafka.replicationFactor()).compacted();
    KafkaTopics.Topic users = KafkaTopics.Topic.of(ClusterTopology.usersTopic(kafka),
        kafka.partitions(), kafka.replicationFactor()).copartitioned()
        .with(TopicConfig.RETENTION_MS_CONFIG, "-1");
    KafkaTopics.Topic handoffs = KafkaTopics.Topic.of(ClusterTopology.handoffTopic(kafka),
        kafka.partitions(), kafka.replicationFactor()).copartitioned()
        .with(TopicConfig.RETENTION_MS_CONFIG, "-1");
    KafkaTopics.Topic outgoing = KafkaTopics.Topic.of(ClusterTopology.outgoingTopic(kafka),
        kafka.partitions(), kafka.replicationFactor());
    KafkaTopics.Topic delivered = KafkaTopics.Topic.of(ClusterTopology.deliveredTopic(kafka),
        kafka.partitions(), kafka.replicationFactor()).compacted();
    return List.of(intake, deadLetters, links, users, handoffs, outgoing, delivered);
  }

  /**
   * Ensures the topics now, blocking (a processor needs them before Kafka Streams starts).
   *
   * @throws TimeoutException when the brokers do not answer
   * @throws IllegalStateException when they refuse, or a co-partitioned topic disagrees
   */
  void ensureNow() {
    topics.ensure(wanted);
    ensured = true;
  }

  /** True once every topic exists. */
  boolean ensured() {
    return ensured;
  }

  private Future<Void> attempt(boolean first) {
    return vertx.executeBlocking(() -> topics.ensure(wanted)).transform(ar -> {
      if (ar.succeeded()) {
        ensured = true;
        if (!first) {
          LOG.info("the Kafka topics exist now");
        }
        return Future.succeededFuture();
      }
      boolean unreachable = ar.cause() instanceof TimeoutException;
      if (first && !unreachable) {
        return Future.failedFuture(ar.cause());
      }
      if (first) {
        LOG.warn("{}; the node starts, its intake refuses until the topics exist, and they are"
            + " tried again every {} s", ar.cause().getMessage(), RETRY_MILLIS / 1000);
      } else if (unreachable) {
        LOG.debug("the Kafka topics could not be ensured yet: {}", ar.cause().getMessage());
      } else {
        LOG.warn("the Kafka topics could not be ensured: {}; tried again in {} s",
            ar.cause().getMessage(), RETRY_MILLIS / 1000);
      }
      scheduleRetry();
      return Future.succeededFuture();
    });
  }

  private synchronized void scheduleRetry() {
    if (!closed) {
      retryTimer = vertx.setTimer(RETRY_MILLIS, id -> attempt(false));
    }
  }

  /** Stops retrying and closes the admin client. */
  Future<Void> close() {
    synchronized (this) {
      if (closed) {
        return Future.succeededFuture();
      }
      closed = true;
      if (retryTimer >= 0) {
        vertx.cancelTimer(retryTimer);
      }
    }
    return vertx.executeBlocking(() -> {
      topics.close();
      return null;
    });
  }
}

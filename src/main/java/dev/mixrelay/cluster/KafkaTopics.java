package dev.mixrelay.cluster;

import dev.mixrelay.log.KafkaClientConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin mechanics of {@link ClusterTopics}: creates topics when they are missing. A topic that exists is never
 * changed: one with fewer partitions than wanted, or a compacted one that is not compacted, is
 * reported as a WARN (partitions decide where keys go; changing them is the operator's call), and
 * a {@linkplain Topic#copartitioned co-partitioned} one with another count is refused.
 * {@link #ensure} blocks: call it off the event loop.
 */
public final class KafkaTopics implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaTopics.class);

  private final Admin admin;
  private final String bootstrapServers;
  private final Duration timeout;

  /**
   * One topic as wanted.
   *
   * @param configs topic-level configs set when the relay creates it
   * @param exactPartitions an existing topic with another partition count is refused (topics
   *     the processors route into by the partition count: {@link Keys#partition})
   */
  public record Topic(String name, int partitions, short replicationFactor,
      Map<String, String> configs, boolean exactPartitions) {

    public Topic {
      if (partitions < 1 || replicationFactor < 1) {
        throw new IllegalArgumentException("topic " + name + " needs at least one partition and one"
            + " replica, was " + partitions + " and " + replicationFactor);
      }
      configs = Map.copyOf(configs);
    }

    public static Topic of(String name, int partitions, int replicationFactor) {
      return new Topic(name, partitions, (short) replicationFactor, Map.of(), false);
    }

    /** The same topic with one more topic-level config. */
    public Topic with(String key, String value) {
      Map<String, String> more = new LinkedHashMap<>(configs);
      more.put(key, value);
      return new Topic(name, partitions, replicationFactor, more, exactPartitions);
    }

    /** The same topic with {@code cleanup.policy=compact}: the latest record per key is kept. */
    public Topic compacted() {
      return with(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
    }

    /** The same topic, whose partition count must be exactly {@code partitions}. */
    public Topic copartitioned() {
      return new Topic(name, partitions, replicationFactor, configs, true);
    }

    boolean isCompacted() {
      return configs.getOrDefault(TopicConfig.CLEANUP_POLICY_CONFIG, "")
          .contains(TopicConfig.CLEANUP_POLICY_COMPACT);
    }
  }

  KafkaTopics(Admin admin, String bootstrapServers, Duration timeout) {
    this.admin = admin;
    this.bootstrapServers = bootstrapServers;
    this.timeout = timeout;
  }

  /** An admin client for {@code bootstrapServers}; every call gives up after {@code timeout}. */
  public static KafkaTopics connect(String bootstrapServers, Duration timeout) {
    return connect(Map.of(), bootstrapServers, timeout);
  }

  /** As {@link #connect(String, Duration)}, with more client settings ({@code kafka.properties}). */
  public static KafkaTopics connect(Map<String, String> clientProperties, String bootstrapServers,
      Duration timeout) {
    return new KafkaTopics(Admin.create(KafkaClientConfig.admin(clientProperties,
        bootstrapServers, "mixrelay-topics", timeout)), bootstrapServers, timeout);
  }

  /**
   * Creates every missing topic of {@code wanted} and checks the existing ones (a topic just
   * created by another node included). Blocks for at most a few times the timeout. Returns the
   * names it created.
   *
   * @throws TimeoutException when the brokers do not answer within the timeout (retry later)
   * @throws IllegalStateException when the brokers refuse (too few brokers for the replication
   *     factor, not authorised, ...): an operator must act
   */
  public List<String> ensure(List<Topic> wanted) {
    Set<String> existing = await(admin.listTopics(new ListTopicsOptions()
        .timeoutMs(timeoutMs())).names(), "list the topics");
    List<NewTopic> missing = new ArrayList<>();
    List<Topic> present = new ArrayList<>();
    for (Topic t : wanted) {
      if (existing.contains(t.name())) {
        present.add(t);
      } else {
        missing.add(new NewTopic(t.name(), t.partitions(), t.replicationFactor())
            .configs(t.configs()));
      }
    }
    List<String> created = new ArrayList<>();
    if (!missing.isEmpty()) {
      var result = admin.createTopics(missing, new CreateTopicsOptions().timeoutMs(timeoutMs()));
      for (NewTopic t : missing) {
        try {
          await(result.values().get(t.name()), "create topic " + t.name());
          created.add(t.name());
          LOG.info("created Kafka topic {} ({} partitions, replication factor {}{})", t.name(),
              t.numPartitions(), t.replicationFactor(),
              t.configs().isEmpty() ? "" : ", " + t.configs());
        } catch (IllegalStateException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
          // another node created it meanwhile: it is checked like any existing topic
          wanted.stream().filter(w -> w.name().equals(t.name())).forEach(present::add);
        }
      }
    }
    check(present);
    return created;
  }

  /** Warns about existing topics with fewer partitions than wanted, or not compacted. */
  private void check(List<Topic> present) {
    if (present.isEmpty()) {
      return;
    }
    Map<String, TopicDescription> described = describe(present.stream().map(Topic::name)
        .toList());
    List<ConfigResource> compacted = new ArrayList<>();
    for (Topic t : present) {
      int has = described.get(t.name()).partitions().size();
      if (t.exactPartitions() && has != t.partitions()) {
        throw new IllegalStateException("topic " + t.name() + " has " + has + " partitions but"
            + " kafka.partitions is " + t.partitions() + "; processors route by the partition"
            + " count, so they must agree");
      }
      if (has < t.partitions()) {
        LOG.warn("Kafka topic {} has {} partitions, fewer than the {} configured; it is left as it"
            + " is (adding partitions moves keys to other partitions)", t.name(), has,
            t.partitions());
      }
      if (t.isCompacted()) {
        compacted.add(new ConfigResource(ConfigResource.Type.TOPIC, t.name()));
      }
    }
    if (compacted.isEmpty()) {
      return;
    }
    Map<ConfigResource, Config> configs = await(admin.describeConfigs(compacted,
        new DescribeConfigsOptions().timeoutMs(timeoutMs())).all(), "describe the topic configs");
    configs.forEach((resource, config) -> {
      var policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
      if (policy == null || !policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
        LOG.warn("Kafka topic {} should be compacted (cleanup.policy=compact) but has"
            + " cleanup.policy={}; it is left as it is", resource.name(),
            policy == null ? "?" : policy.value());
      }
    });
  }

  /**
   * Describes the topics, waiting (up to the timeout) out the moment after one was created,
   * here or by another node, before the brokers' metadata has it. Blocks a worker thread.
   */
  private Map<String, TopicDescription> describe(List<String> names) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        return await(admin.describeTopics(names, new DescribeTopicsOptions()
            .timeoutMs(timeoutMs())).allTopicNames(), "describe the topics");
      } catch (IllegalStateException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
            || System.nanoTime() > deadline) {
          throw e;
        }
        try {
          Thread.sleep(100); // a worker thread (see the class comment), never an event loop
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private int timeoutMs() {
    return (int) timeout.toMillis();
  }

  /** The value of an admin future, waited for at most twice the timeout. */
  private <T> T await(org.apache.kafka.common.KafkaFuture<T> future, String what) {
    try {
      return future.get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while trying to " + what, e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw unreachable(what);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof TimeoutException) {
        throw unreachable(what);
      }
      throw new IllegalStateException("the Kafka brokers refused to " + what + ": "
          + cause.getMessage(), cause);
    }
  }

  private TimeoutException unreachable(String what) {
    return new TimeoutException("could not " + what + ": the Kafka brokers at " + bootstrapServers
        + " did not answer within " + timeout.toMillis() + " ms");
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(1));
  }
}

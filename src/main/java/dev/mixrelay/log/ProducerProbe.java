package dev.mixrelay.log;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Asks the brokers, with an admin client, whether the intake topic exists and every partition has
 * a leader: the producer's health while it is not sending. Describing a topic never creates it.
 */
final class ProducerProbe implements AutoCloseable {
  private final Admin admin;
  private final String topic;
  private final Duration timeout;

  /** What one probe found; {@code detail} says why when the health is not READY. */
  record Result(KafkaIntakeLog.Health health, String detail) {}

  ProducerProbe(Admin admin, String topic, Duration timeout) {
    this.admin = admin;
    this.topic = topic;
    this.timeout = timeout;
  }

  /** Blocks for at most about twice the timeout; never throws. */
  Result run() {
    int ms = (int) timeout.toMillis();
    try {
      TopicDescription d = admin.describeTopics(List.of(topic),
              new DescribeTopicsOptions().timeoutMs(ms))
          .allTopicNames().get(2L * ms, TimeUnit.MILLISECONDS).get(topic);
      boolean led = d.partitions().stream()
          .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
      return led ? new Result(KafkaIntakeLog.Health.READY, null)
          : new Result(KafkaIntakeLog.Health.UNREACHABLE, "a partition of " + topic
              + " has no leader");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return new Result(KafkaIntakeLog.Health.TOPIC_MISSING, "the brokers do not know it");
      }
      return new Result(KafkaIntakeLog.Health.UNREACHABLE, String.valueOf(e.getCause()));
    } catch (java.util.concurrent.TimeoutException e) {
      return new Result(KafkaIntakeLog.Health.UNREACHABLE, "no answer within " + 2 * ms + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(KafkaIntakeLog.Health.UNREACHABLE, "interrupted");
    } catch (RuntimeException e) {
      return new Result(KafkaIntakeLog.Health.UNREACHABLE, e.toString());
    }
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(1));
  }
}

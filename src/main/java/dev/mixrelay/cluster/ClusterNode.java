package dev.mixrelay.cluster;

import dev.mixrelay.config.KafkaConfig;
import dev.mixrelay.config.RelayConfig;
import dev.mixrelay.log.KafkaIntakeLog;
import dev.mixrelay.ops.Metrics;
import dev.mixrelay.translate.Translator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One node of an {@code engine: kafka} cluster, without its HTTP server: the topics first
 * (created when missing; when the brokers cannot be reached the node starts anyway and intake
 * refuses until they can), then by role: {@code intake} opens the intake producer; {@code
 * processor} starts the {@link ClusterProcessor} (Kafka Streams and the delivery stage); {@code
 * all} does both. The app serves the routes over what this holds.
 */
public final class ClusterNode {
  private final Vertx vertx;
  private ClusterTopics topics;
  private KafkaIntakeLog intakeLog;
  private ClusterProcessor processor;

  private ClusterNode(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * Starts the node's parts for its role; on failure what was started is stopped again.
   *
   * @param beforeProcessor run before the processor starts (the app's embedded mock Mixpanel)
   */
  public static Future<ClusterNode> start(Vertx vertx, RelayConfig config, Clock clock,
      Metrics metrics, Supplier<Future<Void>> beforeProcessor) {
    ClusterNode node = new ClusterNode(vertx);
    boolean intake = config.role() != RelayConfig.Role.processor;
    boolean processing = config.role() != RelayConfig.Role.intake;
    KafkaConfig kafka = config.kafka();
    int maxRecordBytes = maxRecordBytes(config);
    return ClusterTopics.ensure(vertx, kafka, maxRecordBytes)
        .compose(t -> {
          node.topics = t;
          if (!intake) {
            return Future.<KafkaIntakeLog>succeededFuture(null);
          }
          var options = new KafkaIntakeLog.Options(kafka.bootstrapServers(), kafka.intakeTopic(),
              sendTimeout(config), maxRecordBytes, kafka.properties());
          return vertx.executeBlocking(() -> KafkaIntakeLog.open(vertx, clock, options));
        })
        .compose(opened -> {
          node.intakeLog = opened;
          if (!processing) {
            return Future.<Void>succeededFuture();
          }
          return beforeProcessor.get()
              .compose(v -> vertx.executeBlocking(() -> {
                if (!node.topics.ensured()) {
                  node.topics.ensureNow(); // Kafka Streams needs every topic it reads
                }
                return new Translator(); // loads the user-agent patterns: not on the event loop
              }))
              .compose(tr -> ClusterProcessor.start(vertx, config, clock, tr, metrics))
              .map(p -> {
                node.processor = p;
                return null;
              });
        })
        .map(v -> node)
        .recover(e -> node.stop().transform(ar -> Future.failedFuture(e)));
  }

  /** The intake log of roles intake and all, else null. */
  public KafkaIntakeLog intakeLog() {
    return intakeLog;
  }

  /** The processor of roles processor and all, else null. */
  public ClusterProcessor processor() {
    return processor;
  }

  /** Why the node is not ready (for /ready); empty when it is. */
  public List<String> notReadyReasons() {
    List<String> reasons = new ArrayList<>();
    if (topics != null && !topics.ensured()) {
      reasons.add("the Kafka topics are not created yet (kafka.bootstrapServers does not answer)");
    }
    if (intakeLog != null) {
      switch (intakeLog.health()) {
        case READY -> { }
        case UNREACHABLE -> reasons.add("the Kafka producer cannot reach kafka.bootstrapServers");
        case TOPIC_MISSING -> reasons.add("the topic kafka.intakeTopic does not exist yet (the"
            + " relay creates it once the brokers answer)");
        case BUFFER_FULL -> reasons.add("the Kafka producer's buffer is nearly full (the brokers"
            + " take records more slowly than intake accepts them)");
        case CLOSED -> reasons.add("the intake log is not writable");
      }
    }
    if (processor != null) {
      reasons.addAll(processor.notReadyReasons());
    }
    return reasons;
  }

  /**
   * After HTTP stopped: the processor (each task commits; delivery finishes what it can), then
   * the intake producer (flushed), then the topics' admin client. Never fails.
   */
  public Future<Void> stop() {
    Future<Void> p = processor == null ? Future.succeededFuture()
        : processor.stop(vertx, Duration.ofSeconds(30));
    return p.recover(e -> Future.succeededFuture())
        .compose(v -> intakeLog == null ? Future.<Void>succeededFuture() : intakeLog.close())
        .recover(e -> Future.succeededFuture())
        .compose(v -> topics == null ? Future.<Void>succeededFuture() : topics.close());
  }

  /** Room for the largest message the config accepts, and never below Kafka's 1 MiB default. */
  static int maxRecordBytes(RelayConfig config) {
    return Math.max(1 << 20, config.server().maxMessageBytes() + 64 * 1024);
  }

  /** At most 5 s, and well within server.requestTimeout, so a dead broker is a 503, not a 408. */
  static Duration sendTimeout(RelayConfig config) {
    Duration half = config.server().requestTimeout().dividedBy(2);
    Duration bounded = half.compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5) : half;
    return bounded.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : bounded;
  }
}

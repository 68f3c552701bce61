package dev.mixrelay.log;



import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The intake log of {@code engine: kafka}: every appended message becomes one record of the
 * intake topic (format: {@link KafkaRecords}); an append completes once the brokers acknowledged
 * every record of it. Only {@link #append} is supported: reading, acknowledging, checkpoints and
 * dead letters belong to the embedded pipeline, and fail here.
 *
 * <h2>Design constraints</h2>
 * <ul>
 *   <li>Durable before the 200: an idempotent producer with {@code acks=all}; a call fails when
 *       any of its records is not acknowledged, and the client retries. A failed call may have
 *       stored some of its records, which the retry stores again with the same messageId
 *       (at-least-once; {@code $insert_id} de-duplicates in Mixpanel).</li>
 *   <li>Never on the event loop: {@code Producer.send} can block for metadata or buffer space,
 *       so every send runs on the log's one sender thread, and {@code max.block.ms} bounds that
 *       wait so calls queued behind it are not held. One thread also keeps the records of a call,
 *       and of calls for one key, in order; idempotence keeps that order across retries.</li>
 *   <li>Bounded: a record not acknowledged within {@code sendTimeout} fails its call
 *       ({@code delivery.timeout.ms}), so a dead broker means 503s within seconds.</li>
 *   <li>Health: a probe describes the intake topic every 2 s. While the brokers cannot be
 *       reached, or the topic does not exist, or the producer's buffer is nearly full, {@link
 *       #overCapacity} is true and appends fail at once. So the producer never asks for a missing
 *       topic, and a broker never auto-creates it with its own defaults.</li>
 * </ul>
 * Offsets returned and counted here are this process's sequence numbers (Kafka's offsets are per
 * partition): {@link #stats} counts appended, acknowledged and in-flight records since start.
 */
public final class KafkaIntakeLog implements IntakeAppender {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaIntakeLog.class);
  private static final Duration PROBE_INTERVAL = Duration.ofSeconds(2);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  /** The producer's buffer; intake refuses while less than a tenth of it is free. */
  static final long BUFFER_BYTES = 32L << 20;

  /** What the log can do now; anything but READY makes intake refuse. */
  public enum Health { READY, UNREACHABLE, TOPIC_MISSING, BUFFER_FULL, CLOSED }

  /**
   * Options the log is opened with.
   *
   * @param sendTimeout how long a record may wait for the brokers' acknowledgement
   * @param maxRecordBytes the largest record the producer sends ({@code max.request.size})
   * @param clientProperties more Kafka client settings ({@code kafka.properties}: security,
   *     timeouts); the log's own durability and bounding settings win where they meet
   */
  public record Options(String bootstrapServers, String topic, Duration sendTimeout,
      int maxRecordBytes, Map<String, String> clientProperties) {

    public Options(String bootstrapServers, String topic, Duration sendTimeout,
        int maxRecordBytes) {
      this(bootstrapServers, topic, sendTimeout, maxRecordBytes, Map.of());
    }

    public Options {
      clientProperties = clientProperties == null ? Map.of() : Map.copyOf(clientProperties);
      if (sendTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("sendTimeout must be at least 1s, was " + sendTimeout);
      }
      if (maxRecordBytes < 1024) {
        throw new IllegalArgumentException("maxRecordBytes must be at least 1024, was "
            + maxRecordBytes);
      }
    }
  }

  private final Vertx vertx;
  private final Clock clock;
  private final Options options;
  private final Producer<String, byte[]> producer;
  private final ProducerProbe probe;
  private final ExecutorService sender;
  private final ScheduledExecutorService prober;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** What the last probe or send said; null before the first probe (counts as unreachable). */
  private final AtomicReference<Health> reach = new AtomicReference<>();
  private final AtomicLong appended = new AtomicLong();
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong inFlightBytes = new AtomicLong();
  /** First sequence number of each call in flight → its append time (for the oldest's age). */
  private final ConcurrentSkipListMap<Long, Long> inFlight = new ConcurrentSkipListMap<>();
  private volatile Metric bufferAvailable;

  KafkaIntakeLog(Vertx vertx, Clock clock, Options options, Producer<String, byte[]> producer,
      ProducerProbe probe) {
    this.vertx = vertx;
    this.clock = clock;
    this.options = options;
    this.producer = producer;
    this.probe = probe;
    this.sender = Executors.newSingleThreadExecutor(r -> daemon(r, "mixrelay-kafka-send"));
    this.prober = Executors.newSingleThreadScheduledExecutor(
        r -> daemon(r, "mixrelay-kafka-probe"));
  }

  /**
   * Creates the producer and probes the brokers once (at most a few seconds), so that with
   * healthy brokers the log is ready when this returns. Blocks: call it off the event loop.
   * Fails on a malformed or unresolvable {@code bootstrapServers}; unreachable brokers are not an
   * error here, only a health.
   */
  public static KafkaIntakeLog open(Vertx vertx, Clock clock, Options options) {
    Producer<String, byte[]> producer = new KafkaProducer<>(producerConfig(options),
        new StringSerializer(), new ByteArraySerializer());
    ProducerProbe probe;
    try {
      probe = new ProducerProbe(Admin.create(KafkaClientConfig.admin(options.clientProperties(),
          options.bootstrapServers(),
          "mixrelay-intake-probe", PROBE_TIMEOUT)), options.topic(), PROBE_TIMEOUT);
    } catch (RuntimeException e) {
      producer.close(Duration.ZERO);
      throw e;
    }
    KafkaIntakeLog log = new KafkaIntakeLog(vertx, clock, options, producer, probe);
    log.probeNow();
    log.prober.scheduleWithFixedDelay(log::probeNow, PROBE_INTERVAL.toMillis(),
        PROBE_INTERVAL.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    return log;
  }

  /** The producer settings: durable (idempotent, acks=all), compressed, batched, bounded. */
  static Map<String, Object> producerConfig(Options o) {
    int deliveryMs = (int) o.sendTimeout().toMillis();
    int lingerMs = 5;
    Map<String, Object> config = new java.util.HashMap<>(o.clientProperties());
    config.putAll(Map.ofEntries(
        Map.entry("bootstrap.servers", o.bootstrapServers()),
        Map.entry("client.id", "mixrelay-intake"),
        Map.entry("enable.idempotence", true),
        Map.entry("acks", "all"),
        Map.entry("max.in.flight.requests.per.connection", 5),
        Map.entry("compression.type", "lz4"),
        Map.entry("linger.ms", lingerMs),
        Map.entry("batch.size", 128 * 1024),
        Map.entry("buffer.memory", BUFFER_BYTES),
        Map.entry("max.request.size", o.maxRecordBytes()),
        Map.entry("delivery.timeout.ms", deliveryMs),
        // delivery.timeout.ms must cover linger.ms + request.timeout.ms
        Map.entry("request.timeout.ms", Math.max(500, deliveryMs / 2 - lingerMs)),
        Map.entry("max.block.ms", Math.min(2_000L, deliveryMs / 2L))));
    return config;
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  // ---- intake ------------------------------------------------------------------------------

  @Override
  public Future<Long> append(List<LogEntry> entries) {
    if (closed.get()) {
      return Future.failedFuture(new IllegalStateException("the Kafka intake log is closed"));
    }
    Health h = reach();
    if (h != Health.READY) {
      return Future.failedFuture(new IllegalStateException(describe(h)));
    }
    if (entries.isEmpty()) {
      return Future.succeededFuture(appended.get());
    }
    Call call = new Call(entries, clock.millis(), appended.addAndGet(entries.size()),
        vertx.getOrCreateContext());
    try {
      sender.execute(() -> send(call));
    } catch (RejectedExecutionException e) {
      call.abort(entries.size(), new IllegalStateException("the Kafka intake log is closed"));
    }
    return call.promise.future();
  }

  /** On the sender thread: hands every record of the call to the producer, in order. */
  private void send(Call call) {
    Health h = reach();
    if (h != Health.READY) {
      call.abort(call.entries.size(), new IllegalStateException(describe(h)));
      return;
    }
    for (int i = 0; i < call.entries.size(); i++) {
      try {
        producer.send(KafkaRecords.record(options.topic(), call.entries.get(i), call.appendedAt,
            call.firstSeq + i), call);
      } catch (RuntimeException e) {
        noteFailure(e);
        call.abort(call.entries.size() - i, e);
        return;
      }
    }
  }

  /** A send that timed out or lost its topic says more about the brokers than the next probe. */
  private void noteFailure(Exception e) {
    if (e instanceof UnknownTopicOrPartitionException) {
      changeReach(Health.TOPIC_MISSING, e.getMessage());
    } else if (e instanceof TimeoutException || e instanceof RetriableException) {
      changeReach(Health.UNREACHABLE, e.getMessage());
    }
  }

  // ---- health ------------------------------------------------------------------------------

  /** Whether the producer can take messages now (cheap: called for every request). */
  public Health health() {
    if (closed.get()) {
      return Health.CLOSED;
    }
    Health h = reach();
    if (h != Health.READY) {
      return h;
    }
    return bufferFreeBytes() < BUFFER_BYTES / 10 ? Health.BUFFER_FULL : Health.READY;
  }

  /** True while {@link #health} is not READY: intake must refuse. */
  @Override
  public boolean overCapacity() {
    return health() != Health.READY;
  }

  private Health reach() {
    Health h = reach.get();
    return h == null ? Health.UNREACHABLE : h;
  }

  private void probeNow() {
    ProducerProbe.Result r = probe.run();
    changeReach(r.health(), r.detail());
  }

  private void changeReach(Health to, String detail) {
    Health from = reach.getAndSet(to);
    if (from == to || closed.get()) {
      return;
    }
    if (to == Health.READY) {
      LOG.info("the Kafka intake topic {} is reachable: intake accepts", options.topic());
    } else {
      LOG.warn("{} ({}): intake answers 503 until it is", describe(to), detail);
    }
  }

  private String describe(Health h) {
    return switch (h) {
      case UNREACHABLE -> "the Kafka brokers at " + options.bootstrapServers()
          + " cannot be reached";
      case TOPIC_MISSING -> "the Kafka intake topic " + options.topic() + " does not exist";
      case BUFFER_FULL -> "the Kafka producer's buffer is nearly full";
      case CLOSED -> "the Kafka intake log is closed";
      case READY -> "the Kafka intake log is ready";
    };
  }

  private double bufferFreeBytes() {
    Metric m = bufferAvailable;
    if (m == null) {
      for (Metric candidate : producer.metrics().values()) {
        if (candidate.metricName().name().equals("buffer-available-bytes")
            && candidate.metricName().group().equals("producer-metrics")) {
          m = candidate;
          bufferAvailable = m;
        }
      }
      if (m == null) {
        return BUFFER_BYTES;
      }
    }
    return ((Number) m.metricValue()).doubleValue();
  }

  // ---- counters ----------------------------------------------------------------------------

  /**
   * Records in flight (handed to the producer, not yet acknowledged or failed), their bytes, the
   * append time of the oldest, how many the brokers acknowledged ({@code acknowledgedOffset}) and
   * how many were appended ({@code lastOffset}), since this log was opened.
   */
  @Override
  public LogStats stats() {
    long done = acknowledged.get() + failed.get();
    long total = appended.get();
    var oldest = inFlight.firstEntry();
    return new LogStats(Math.max(0, total - done), inFlightBytes.get(),
        oldest == null ? 0 : oldest.getValue(), acknowledged.get(), total);
  }

  /** Records that were appended but not acknowledged (their calls failed), since open. */
  public long failedRecords() {
    return failed.get();
  }

  // ---- what only the embedded pipeline does ----------------------------------------------

  /**
   * Stops taking appends, sends what was appended before (waiting for the brokers' answers, at
   * most the send timeout), then closes the producer. Completes on the caller's context.
   */
  @Override
  public Future<Void> close() {
    if (!closed.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    Context ctx = vertx.getOrCreateContext();
    Promise<Void> done = Promise.promise();
    prober.shutdownNow();
    sender.execute(() -> {
      try {
        producer.flush();
      } catch (RuntimeException e) {
        LOG.warn("flushing the Kafka producer failed: {}", e.toString());
      }
      producer.close(CLOSE_TIMEOUT);
      probe.close();
      ctx.runOnContext(v -> done.complete());
    });
    sender.shutdown();
    return done.future();
  }

  /** One append: its records' acknowledgements, counted down to one completion. */
  private final class Call implements Callback {
    final List<LogEntry> entries;
    final long appendedAt;
    final long firstSeq;
    final long lastSeq;
    final long bytes;
    final Context ctx;
    final Promise<Long> promise = Promise.promise();
    final AtomicInteger pending;
    final AtomicReference<Exception> failure = new AtomicReference<>();

    Call(List<LogEntry> entries, long appendedAt, long lastSeq, Context ctx) {
      this.entries = entries;
      this.appendedAt = appendedAt;
      this.lastSeq = lastSeq;
      this.firstSeq = lastSeq - entries.size() + 1;
      this.ctx = ctx;
      this.pending = new AtomicInteger(entries.size());
      long b = 0;
      for (LogEntry e : entries) {
        b += e.json().length;
      }
      this.bytes = b;
      inFlight.put(firstSeq, appendedAt);
      inFlightBytes.addAndGet(b);
    }

    /** On the producer's I/O thread: one record acknowledged or failed. */
    @Override
    public void onCompletion(RecordMetadata metadata, Exception e) {
      if (e == null) {
        acknowledged.incrementAndGet();
      } else {
        failed.incrementAndGet();
        failure.compareAndSet(null, e);
        noteFailure(e);
      }
      if (pending.decrementAndGet() == 0) {
        finish();
      }
    }

    /** The last {@code unsent} records will never be sent. */
    void abort(int unsent, Exception e) {
      failed.addAndGet(unsent);
      failure.compareAndSet(null, e);
      if (pending.addAndGet(-unsent) == 0) {
        finish();
      }
    }

    private void finish() {
      inFlight.remove(firstSeq);
      inFlightBytes.addAndGet(-bytes);
      Exception f = failure.get();
      ctx.runOnContext(v -> {
        if (f == null) {
          promise.complete(lastSeq);
        } else {
          LOG.debug("an append of {} records failed: {}", entries.size(), f.toString());
          promise.fail(new IllegalStateException("the Kafka brokers did not acknowledge every"
              + " record: " + f.getMessage(), f));
        }
      });
    }
  }
}

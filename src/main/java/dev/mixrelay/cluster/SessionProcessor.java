package dev.mixrelay.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.deliver.DeadLetter;
import dev.mixrelay.identity.SuperPropertyStore;
import dev.mixrelay.log.KafkaRecords;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.ops.Metrics;
import dev.mixrelay.segment.SegmentJson;
import dev.mixrelay.session.Handoff;
import dev.mixrelay.session.Sessionizer;
import dev.mixrelay.stage.MessageStage;
import dev.mixrelay.stage.Outcome;
import dev.mixrelay.translate.Translator;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session stage of one task (one partition of the user-keyed topic and of the handoff topic):
 * runs each message through the {@link MessageStage} (translation with the user's super
 * properties, profiles, sessions) and forwards what it made: Mixpanel records to the outgoing
 * topic (see {@link Outgoing}), dead letters to the dead-letter topic, the sessions of devices
 * that left this task to the handoff topic. It never calls Mixpanel: the delivery stage does.
 *
 * <p>Contract: after every call from Kafka Streams (a record, a punctuation) the task's state is
 * written through to its store
 * ({@link TaskState}); with {@code exactly_once_v2}, state, output and input offsets commit
 * atomically, so a task that moves or restarts resumes exactly where its last commit left it.
 */
final class SessionProcessor implements Processor<String, byte[], String, byte[]> {
  private static final Logger LOG = LoggerFactory.getLogger(SessionProcessor.class);
  static final String STATE_STORE = "mixrelay-sessions";
  static final String REORDER_STORE = "mixrelay-reorder";
  private static final Duration TICK = Duration.ofSeconds(1);
  private static final Duration REORDER_TICK = Duration.ofMillis(100);

  private final ClusterTopology.Settings settings;
  private final Translator translator;
  private final Metrics metrics;
  private final Clock clock;
  private final SuperPropertyStore profiles = SuperPropertyStore.inMemory(1_000_000);
  private ProcessorContext<String, byte[]> context;
  private MessageStage stage;
  private TaskState state;
  private int partition;
  private ReorderBuffer reorder;
  private long reorderMillis;
  /** The newest event time among the records run (stream time, as far as the stage saw it). */
  private long ranUpTo = Long.MIN_VALUE;
  /** The destinations whose state changed since {@link #saveState} last ran. */
  private final Set<String> unsaved = new LinkedHashSet<>();

  SessionProcessor(ClusterTopology.Settings settings, Translator translator, Metrics metrics,
      Clock clock) {
    this.settings = settings;
    this.translator = translator;
    this.metrics = metrics;
    this.clock = clock;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    this.partition = context.taskId().partition();
    KeyValueStore<String, byte[]> store = context.getStateStore(STATE_STORE);
    this.state = new TaskState(store, profiles, partition);
    this.stage = new MessageStage(settings.destinations().values(), translator, profiles, null,
        d -> Sessionizer.create(d.sessions(), d.settings().insertIdNamespace(),
            metrics.sessions(d.name()), key -> owns(d.name(), key),
            settings.handoffWait().toMillis()), metrics);
    long seen = -1;
    for (String dest : stage.destinations()) {
      Sessionizer s = stage.sessionizer(dest);
      state.restore(dest, s);
      stage.sessionsAfter(dest, s.snapshotOffset());
      seen = Math.max(seen, s.snapshotOffset());
    }
    this.reorderMillis = settings.reorderWindow().toMillis();
    this.reorder = new ReorderBuffer(context.getStateStore(REORDER_STORE), seen);
    updateGauges(); // what the task restored, before its first tick
    context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, t -> {
      onWallClock(t);
      saveState();
    });
    context.schedule(TICK, PunctuationType.STREAM_TIME, t -> {
      onStreamTime(t);
      saveState();
    });
    context.schedule(REORDER_TICK, PunctuationType.WALL_CLOCK_TIME, t -> {
      runDue();
      saveState();
    });
  }

  /** True when the task owns the session key (its user-keyed records land on this partition). */
  private boolean owns(String destination, String sessionKey) {
    return Keys.partition(Keys.userKey(destination, sessionKey), settings.partitions())
        == partition;
  }

  @Override
  public void process(Record<String, byte[]> record) {
    processRecord(record);
    saveState();
  }

  private void processRecord(Record<String, byte[]> record) {
    RecordMetadata meta = context.recordMetadata().orElseThrow();
    String dest = Keys.destination(record.key());
    DestinationConfig destination = settings.destinations().get(dest);
    if (destination == null) {
      deadLetter(dest, record.value(), record.timestamp(), "the destination '" + dest
          + "' is not configured on this processor");
      return;
    }
    if (meta.topic().equals(settings.handoffTopic())) {
      send(dest, stage.adopt(dest, Handoff.fromBytes(record.value()), clock.millis()), null);
      afterCall(dest);
      return;
    }
    ReorderBuffer.Kept k = new ReorderBuffer.Kept(record.key(),
        Keys.text(record.headers(), Keys.SOURCE), Keys.text(record.headers(), Keys.KIND),
        KafkaRecords.appendedAtMillis(record.headers()), KafkaRecords.appendSeq(record.headers()),
        record.timestamp(),
        context.currentSystemTimeMs(), record.value());
    if (reorderMillis == 0 && reorder.size() == 0) {
      run(destination, k, reorder.nextSequence());
      return;
    }
    reorder.add(k, meta.offset());
    runDue();
  }

  /** Runs the kept records whose time in the buffer is up, in intake order. */
  private void runDue() {
    for (ReorderBuffer.Kept k : reorder.due(context.currentSystemTimeMs(), reorderMillis)) {
      String dest = Keys.destination(k.key());
      DestinationConfig destination = settings.destinations().get(dest);
      if (destination == null) { // configured when kept, not since the restart
        deadLetter(dest, k.value(), k.timestamp(), "the destination '" + dest
            + "' is not configured on this processor");
        continue;
      }
      run(destination, k, reorder.nextSequence());
    }
  }

  /** Runs one user-keyed record through the stage as the {@code offset}-th of the task. */
  private void run(DestinationConfig destination, ReorderBuffer.Kept record, long offset) {
    String dest = destination.name();
    long now = clock.millis();
    ranUpTo = Math.max(ranUpTo, record.timestamp());
    if (Keys.KIND_LINK.equals(record.kind())) {
      MixpanelRecord link;
      try {
        link = new MixpanelRecord(Endpoint.IMPORT,
            (ObjectNode) SegmentJson.MAPPER.readTree(record.value()));
      } catch (Exception e) {
        LOG.warn("an unreadable link-only record on partition {} is ignored", partition);
        return;
      }
      send(dest, stage.onLink(dest, offset, link, now), record.key());
    } else {
      Outcome outcome = stage.process(destination, record.source(), offset, null,
          record.value(), false, now);
      if (outcome instanceof Outcome.Deliver deliver) {
        send(dest, deliver.records(), record.key());
        for (DeadLetter d : deliver.rejected()) {
          context.forward(new Record<>(dest, DeadLetters.value(dest, d.endpoint().path(),
              d.record(), d.reason(), d.time().toEpochMilli()), System.currentTimeMillis()),
              ClusterTopology.DEAD_LETTER_SINK);
        }
      } else if (outcome instanceof Outcome.Refused refused) {
        forwardDeadLetter(dest, record.value(), record.timestamp(), refused.reason());
      }
      long appendedAt = record.appendedAt();
      metrics.finished(dest, appendedAt < 0 ? 0 : Math.max(0, now - appendedAt));
    }
    afterCall(dest);
  }

  private void onWallClock(long punctuatedAt) {
    long now = clock.millis(); // the relay's clock, as the single node's tick reads it
    updateGauges();
    closed(stage.onTick(now));
  }

  /** Tells the processor's gauges what the task holds: sessions, parked events, kept records. */
  private void updateGauges() {
    long open = 0;
    long parked = 0;
    for (String dest : stage.destinations()) {
      Sessionizer s = stage.sessionizer(dest);
      open += s.openSessions();
      parked += s.parkedEvents();
    }
    settings.gauges().update(partition, open, parked, reorder.size());
    if (parked > 0) {
      StringBuilder d = new StringBuilder();
      stage.destinations().forEach(dest -> d.append(stage.sessionizer(dest).describeHandoffs(5)));
      settings.gauges().handoffs(partition, d.toString());
    }
  }

  /**
   * The stream-time rule, up to the newest event time the stage has run (records still kept for
   * the reorder window have not moved the user's or the destination's time yet).
   */
  private void onStreamTime(long streamTime) {
    long upTo = reorder.size() == 0 ? streamTime : Math.min(streamTime, ranUpTo);
    if (upTo != Long.MIN_VALUE) {
      closed(stage.onStreamTime(upTo));
    }
  }

  /** Sends what a time rule closed, per destination, and saves each destination's state. */
  private void closed(Map<String, List<MixpanelRecord>> closed) {
    closed.forEach((dest, records) -> {
      send(dest, records, null);
      afterCall(dest);
    });
  }

  /**
   * After every stage call: hands off the sessions that left; the state is written through once
   * the whole call from Kafka Streams (a record, a punctuation) is done, see {@link #saveState}.
   */
  private void afterCall(String dest) {
    for (Handoff h : stage.takeHandoffs(dest)) {
      context.forward(new Record<>(Keys.userKey(dest, h.userKey()), h.toBytes(), h.time()),
          ClusterTopology.HANDOFF_SINK);
    }
    unsaved.add(dest);
  }

  /**
   * Writes the changed state of the destinations the call touched, and the run sequence, into the
   * task's stores: once per {@code process} or punctuation, not per stage call (a punctuation
   * runs many kept records). Kafka Streams commits only between such calls, so every commit still
   * holds the state of every record whose offset it commits.
   */
  private void saveState() {
    for (String dest : unsaved) {
      state.save(dest, stage.sessionizer(dest));
    }
    unsaved.clear();
    reorder.saveSequence();
  }

  /**
   * Forwards records to the outgoing topic, stamped with the wall clock (the topic's retention
   * counts from when they were made): under {@code key} when they answer a message, else one
   * outgoing record per user (the records' distinct_id).
   */
  private void send(String dest, List<MixpanelRecord> records, String key) {
    if (records.isEmpty()) {
      return;
    }
    long ts = System.currentTimeMillis();
    if (key != null) {
      context.forward(new Record<>(key, Outgoing.encode(records), ts),
          ClusterTopology.OUTGOING_SINK);
      return;
    }
    for (MixpanelRecord r : records) {
      ObjectNode p = r.properties();
      String user = p != null && p.hasNonNull("distinct_id") ? p.get("distinct_id").asText() : "";
      context.forward(new Record<>(Keys.userKey(dest, user), Outgoing.encode(List.of(r)), ts),
          ClusterTopology.OUTGOING_SINK);
    }
  }

  private void deadLetter(String dest, byte[] value, long timestamp, String reason) {
    forwardDeadLetter(dest, value, timestamp, reason);
    metrics.deadLetteredMessage(dest, "untranslatable", 1);
  }

  private void forwardDeadLetter(String dest, byte[] value, long timestamp, String reason) {
    context.forward(DeadLetters.record(dest, "segment", value, reason, timestamp),
        ClusterTopology.DEAD_LETTER_SINK);
  }

  @Override
  public void close() {
    settings.gauges().remove(partition);
  }
}

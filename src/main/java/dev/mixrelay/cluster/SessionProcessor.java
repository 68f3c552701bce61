package dev.mixrelay.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.deliver.Delivery;
import dev.mixrelay.identity.SuperPropertyStore;
import dev.mixrelay.log.KafkaRecords;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.ops.Metrics;
import dev.mixrelay.segment.SegmentJson;
import dev.mixrelay.segment.SegmentMessage;
import dev.mixrelay.session.Handoff;
import dev.mixrelay.session.Sessionizer;
import dev.mixrelay.translate.Translation;
import dev.mixrelay.translate.Translator;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * translates each message with the user's super properties, feeds the records to the
 * destination's sessionizer, and hands both to delivery. Its state — the sessionizers and the
 * super properties — is written to a changelogged store at every commit, after the commit barrier
 * has waited until everything sent is delivered or dead-lettered; so the committed offsets, the
 * store and Mixpanel always agree, and a task that moves or restarts resumes its sessions.
 */
final class SessionProcessor implements Processor<String, byte[], String, byte[]> {
  private static final Logger LOG = LoggerFactory.getLogger(SessionProcessor.class);
  static final String STATE_STORE = "mixrelay-sessions";
  static final String SESSIONS_PREFIX = "sessions:";
  static final String PROFILES_PREFIX = "profiles:";
  /** New input waits while more records than this are with delivery (the task's memory bound). */
  private static final long MAX_OUTSTANDING = 20_000;
  private static final Duration TICK = Duration.ofSeconds(1);

  private final ClusterTopology.Settings settings;
  private final Translator translator;
  private final Delivery delivery;
  private final Metrics metrics;
  private final Clock clock;
  private final Outstanding outstanding = new Outstanding();
  private final Map<String, Sessionizer> sessionizers = new LinkedHashMap<>();
  private final Map<String, Long> restoredUpTo = new HashMap<>();
  private final Map<String, Long> savedProfileVersion = new HashMap<>();
  private final Set<String> dirty = new LinkedHashSet<>();
  private final SuperPropertyStore profiles = SuperPropertyStore.inMemory(1_000_000);
  private ProcessorContext<String, byte[]> context;
  private KeyValueStore<String, byte[]> store;
  private int partition;

  SessionProcessor(ClusterTopology.Settings settings, Translator translator, Delivery delivery,
      Metrics metrics, Clock clock) {
    this.settings = settings;
    this.translator = translator;
    this.delivery = delivery;
    this.metrics = metrics;
    this.clock = clock;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    this.partition = context.taskId().partition();
    this.store = context.getStateStore(STATE_STORE);
    DeliveryFence fence = context.getStateStore(DeliveryFence.NAME);
    fence.barrier(this::beforeCommit);
    for (DestinationConfig d : settings.destinations().values()) {
      String name = d.name();
      Sessionizer s = Sessionizer.create(d.sessions(), d.settings().insertIdNamespace(),
          metrics.sessions(name), key -> owns(name, key), settings.handoffWait().toMillis());
      byte[] saved = store.get(SESSIONS_PREFIX + name);
      if (saved != null) {
        try {
          s.restore(saved);
        } catch (IllegalArgumentException bad) {
          LOG.warn("the session state of {} on partition {} does not match its current session"
              + " settings; its sessions start empty: {}", name, partition, bad.getMessage());
        }
      }
      restoredUpTo.put(name, s.snapshotOffset());
      byte[] savedProfiles = store.get(PROFILES_PREFIX + name);
      if (savedProfiles != null) {
        try {
          profiles.restore(name, savedProfiles);
        } catch (IllegalArgumentException bad) {
          LOG.warn("the super properties of {} on partition {} are unreadable; they start empty",
              name, partition);
        }
      }
      savedProfileVersion.put(name, profiles.version(name));
      sessionizers.put(name, s);
    }
    context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::onWallClock);
    context.schedule(TICK, PunctuationType.STREAM_TIME, this::onStreamTime);
  }

  /** True when the task owns the session key (its user-keyed records land on this partition). */
  private boolean owns(String destination, String sessionKey) {
    return Keys.partition(Keys.userKey(destination, sessionKey), settings.partitions())
        == partition;
  }

  @Override
  public void process(Record<String, byte[]> record) {
    RecordMetadata meta = context.recordMetadata().orElseThrow();
    String dest = Keys.destination(record.key());
    DestinationConfig destination = settings.destinations().get(dest);
    Sessionizer sessionizer = sessionizers.get(dest);
    if (destination == null) {
      context.forward(DeadLetters.record(dest, "segment", record.value(), "the destination '"
          + dest + "' is not configured on this processor", record.timestamp()),
          ClusterTopology.DEAD_LETTER_SINK);
      metrics.deadLetteredMessage(dest, "untranslatable", 1);
      return;
    }
    long now = clock.millis();
    if (meta.topic().equals(settings.handoffTopic())) {
      Handoff h = Handoff.fromBytes(record.value());
      send(destination, sessionizer.adopt(h, now));
      forwardHandoffs(dest, sessionizer);
      dirty.add(dest);
      return;
    }
    long offset = meta.offset();
    if (offset <= restoredUpTo.getOrDefault(dest, -1L)) {
      return; // reflected in the restored state, and delivered before it was saved
    }
    outstanding.awaitAtMost(MAX_OUTSTANDING, settings.deliveryWait().toMillis());
    dirty.add(dest);
    if (Keys.KIND_LINK.equals(Keys.text(record.headers(), Keys.KIND))) {
      LinkOnly link;
      try {
        link = LinkOnly.decode(record.value());
      } catch (Exception e) {
        LOG.warn("an unreadable link-only record on partition {} is ignored", partition);
        return;
      }
      send(destination, sessionizer.onEvents(offset, List.of(link.asEvent()), now));
      forwardHandoffs(dest, sessionizer);
      return;
    }
    SegmentMessage message;
    try {
      message = SegmentMessage.fromNormalized((ObjectNode) SegmentJson.MAPPER.readTree(
          record.value()));
    } catch (Exception e) {
      deadLetter(dest, record, "unreadable intake record: " + e.getMessage());
      return;
    }
    long t0 = System.nanoTime();
    Translation translation;
    try {
      translation = translator.translate(message, destination, key -> profiles.get(dest, key));
    } catch (RuntimeException e) {
      LOG.error("translation failed for a {} message; it is dead-lettered",
          message.type().wireName(), e);
      deadLetter(dest, record, "translation failed: " + e);
      return;
    }
    if (translation instanceof Translation.Skipped skipped) {
      metrics.skipped(dest, skipped.reason());
    } else if (translation instanceof Translation.Invalid invalid) {
      deadLetter(dest, record, invalid.field() + ": " + invalid.reason());
    } else {
      Translation.Translated done = (Translation.Translated) translation;
      metrics.translated(dest, message.type().wireName(), done.records().size(),
          System.nanoTime() - t0);
      if (!done.update().isEmpty()) {
        profiles.merge(dest, done.update().userKey(), done.update().superProperties());
      }
      if (done.truncated() > 0) {
        metrics.truncated(dest, done.truncated());
      }
      for (Translation.Rejected r : done.rejected()) {
        context.forward(new Record<>(dest, DeadLetters.value(dest, r.record().endpoint().path(),
            r.record().body().toString(), r.reason(), now), System.currentTimeMillis()),
            ClusterTopology.DEAD_LETTER_SINK);
        metrics.deadLetteredMessage(dest, "never_accepted", 1);
      }
      List<MixpanelRecord> sessionRecords = sessionizer.onEvents(offset, done.records(), now);
      send(destination, concat(done.records(), sessionRecords));
      forwardHandoffs(dest, sessionizer);
    }
    long appendedAt = KafkaRecords.appendedAtMillis(record.headers());
    metrics.finished(dest, appendedAt < 0 ? 0 : Math.max(0, now - appendedAt));
  }

  private void onWallClock(long punctuatedAt) {
    long now = clock.millis(); // the relay's clock, as the single node's tick reads it
    long open = 0;
    long parked = 0;
    for (Sessionizer s : sessionizers.values()) {
      open += s.openSessions();
      parked += s.parkedEvents();
    }
    settings.gauges().update(partition, open, parked);
    if (parked > 0) {
      StringBuilder d = new StringBuilder();
      sessionizers.forEach((dest, s) -> d.append(s.describeHandoffs(5)));
      settings.gauges().handoffs(partition, d.toString());
    }
    closeIdle(s -> s.onTick(now));
  }

  private void onStreamTime(long streamTime) {
    closeIdle(s -> s.onStreamTime(streamTime));
  }

  /** Runs a time rule on every destination's sessionizer and sends what it closed. */
  private void closeIdle(java.util.function.Function<Sessionizer, List<MixpanelRecord>> rule) {
    sessionizers.forEach((dest, s) -> {
      List<MixpanelRecord> closed = rule.apply(s);
      if (!closed.isEmpty()) {
        dirty.add(dest);
      }
      send(settings.destinations().get(dest), closed);
      forwardHandoffs(dest, s);
    });
  }

  /** Hands the sessions that left this task to the tasks owning their users. */
  private void forwardHandoffs(String dest, Sessionizer s) {
    for (Handoff h : s.takeHandoffs()) {
      context.forward(new Record<>(Keys.userKey(dest, h.userKey()), h.toBytes(), h.time()),
          ClusterTopology.HANDOFF_SINK);
      dirty.add(dest);
    }
  }

  private void send(DestinationConfig destination, List<MixpanelRecord> records) {
    if (records.isEmpty()) {
      return;
    }
    int n = records.size();
    outstanding.add(n);
    delivery.send(destination, records).onComplete(ar ->
        outstanding.done(n, ar.failed() ? ar.cause() : null));
  }

  private void deadLetter(String dest, Record<String, byte[]> record, String reason) {
    context.forward(DeadLetters.record(dest, "segment", record.value(), reason,
        record.timestamp()), ClusterTopology.DEAD_LETTER_SINK);
    metrics.deadLetteredMessage(dest, "untranslatable", 1);
  }

  /**
   * The commit barrier (run by the fence's flush, before the task's offsets are committed): waits
   * until every record sent is done, then saves each changed destination's sessions and super
   * properties, so the store reflects exactly the input whose offsets are about to be committed.
   */
  private void beforeCommit() {
    outstanding.awaitAtMost(0, settings.deliveryWait().toMillis());
    for (String dest : dirty) {
      Sessionizer s = sessionizers.get(dest);
      if (s == null) {
        continue;
      }
      store.put(SESSIONS_PREFIX + dest, s.snapshot());
      long version = profiles.version(dest);
      if (version != savedProfileVersion.get(dest)) {
        store.put(PROFILES_PREFIX + dest, profiles.snapshot(dest));
        savedProfileVersion.put(dest, version);
      }
    }
    if (!dirty.isEmpty()) {
      store.flush();
    }
    dirty.clear();
  }

  @Override
  public void close() {
    settings.gauges().remove(partition);
  }

  private static List<MixpanelRecord> concat(List<MixpanelRecord> a, List<MixpanelRecord> b) {
    if (b.isEmpty()) {
      return a;
    }
    List<MixpanelRecord> all = new ArrayList<>(a.size() + b.size());
    all.addAll(a);
    all.addAll(b);
    return all;
  }
}

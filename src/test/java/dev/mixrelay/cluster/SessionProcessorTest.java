package dev.mixrelay.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.ConfigLoader;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.config.RelayConfig;
import dev.mixrelay.identity.SuperPropertyStore;
import dev.mixrelay.log.KafkaRecords;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.ops.Metrics;
import dev.mixrelay.segment.MessageNormalizer;
import dev.mixrelay.segment.SegmentJson;
import dev.mixrelay.segment.SegmentMessage;
import dev.mixrelay.segment.Validation;
import dev.mixrelay.session.Sessionizer;
import dev.mixrelay.translate.Translation;
import dev.mixrelay.translate.Translator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One session task restarted over the same store (as a task that moves or restarts reads its
 * changelog back): its sessions go on where they were, from per-key entries, and from a store
 * written before per-key entries (a whole snapshot, migrated once).
 */
class SessionProcessorTest {
  private static final Instant T0 = Instant.parse("2026-11-20T08:00:00Z");
  private final ClusterTopologyTest.MovableClock clock =
      new ClusterTopologyTest.MovableClock(T0.plusSeconds(60));
  private static Translator translator;
  private static RelayConfig config;

  @TempDir Path dir;
  private final KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(
      Stores.inMemoryKeyValueStore(SessionProcessor.STATE_STORE), Serdes.String(),
      Serdes.ByteArray()).withLoggingDisabled().withCachingDisabled().build();
  private final KeyValueStore<String, byte[]> reorder = Stores.keyValueStoreBuilder(
      Stores.inMemoryKeyValueStore(SessionProcessor.REORDER_STORE), Serdes.String(),
      Serdes.ByteArray()).withLoggingDisabled().withCachingDisabled().build();
  private long offset;

  @BeforeAll
  static void load() {
    translator = new Translator();
    config = ConfigLoader.parse("""
        server: { host: 127.0.0.1, port: 0 }
        engine: kafka
        kafka: { bootstrapServers: "localhost:1", applicationId: app, intakeTopic: app-intake,
                 deadLetterTopic: app-dead-letters, linksTopic: app-links, partitions: 1,
                 reorderWindow: 0s }
        sources: [ { writeKey: wk, destination: main } ]
        destinations:
          main: { token: t, apiSecret: s, apiHost: "http://127.0.0.1:1",
                  sessions: { timeout: 30m, allowedLateness: 1m } }
        """, Map.of(), "test");
  }

  /** A task over the test's store (the same store each time: a restart). */
  private final class Task {
    final MockProcessorContext<String, byte[]> context = new MockProcessorContext<>(
        new Properties(), new TaskId(1, 0), dir.toFile());
    final SessionProcessor processor;

    Task() {
      this(config);
    }

    Task(RelayConfig config) {
      processor = new SessionProcessor(ClusterTopology.Settings.of(config), translator,
          new Metrics(), clock);
      if (!store.isOpen()) {
        store.init(context.getStateStoreContext(), store);
      }
      if (!reorder.isOpen()) {
        reorder.init(context.getStateStoreContext(), reorder);
      }
      context.addStateStore(store);
      context.addStateStore(reorder);
      context.setCurrentSystemTimeMs(clock.millis());
      processor.init(context);
    }

    void track(String userId, String messageId, Instant at) {
      track(userId, messageId, at, -1);
    }

    /** {@code appendSeq}: the record's place in intake's order (-1: no such header). */
    void track(String userId, String messageId, Instant at, long appendSeq) {
      context.setRecordMetadata(ClusterTopology.usersTopic(config.kafka()), 0, offset++);
      Record<String, byte[]> r = new Record<>(Keys.userKey("main", userId),
          normalized(userId, messageId, at).toString().getBytes(StandardCharsets.UTF_8),
          at.toEpochMilli());
      r.headers().add(KafkaRecords.SOURCE, config.sources().get(0).name()
          .getBytes(StandardCharsets.UTF_8));
      if (appendSeq >= 0) {
        r.headers().add(KafkaRecords.APPENDED_AT,
            java.nio.ByteBuffer.allocate(8).putLong(T0.toEpochMilli()).array());
        r.headers().add(KafkaRecords.APPEND_SEQ,
            java.nio.ByteBuffer.allocate(8).putLong(appendSeq).array());
      }
      processor.process(r);
    }

    /** Moves the relay's clock on and runs the wall-clock punctuation. */
    void wallClock(Duration later) {
      clock.now = clock.now.plus(later);
      context.setCurrentSystemTimeMs(clock.millis());
      context.scheduledPunctuators().stream()
          .filter(p -> p.getType() == PunctuationType.WALL_CLOCK_TIME)
          .forEach(p -> p.getPunctuator().punctuate(clock.millis()));
    }

    /** Runs the stream-time punctuation at {@code at} (event time has reached it). */
    void streamTime(Instant at) {
      context.scheduledPunctuators().stream()
          .filter(p -> p.getType() == PunctuationType.STREAM_TIME)
          .forEach(p -> p.getPunctuator().punctuate(at.toEpochMilli()));
    }

    List<MixpanelRecord> outgoing() {
      List<MixpanelRecord> all = new ArrayList<>();
      context.forwarded(ClusterTopology.OUTGOING_SINK).forEach(f ->
          all.addAll(Outgoing.decode((byte[]) f.record().value())));
      return all;
    }

    void close() {
      processor.close();
    }
  }

  private static ObjectNode normalized(String userId, String messageId, Instant at) {
    ObjectNode m = SegmentJson.MAPPER.createObjectNode().put("type", "track")
        .put("messageId", messageId).put("timestamp", at.toString()).put("userId", userId)
        .put("event", "Product Viewed");
    // received a minute after it happened (intake refuses times more than an hour ahead)
    Validation v = new MessageNormalizer(() -> "generated").normalizeOwned(m, null, null,
        at.plusSeconds(60));
    assertThat(v).isInstanceOf(Validation.Valid.class);
    return m;
  }

  /** The Session Start of user-1 after more events close its session. */
  private static MixpanelRecord sessionStart(List<MixpanelRecord> out) {
    List<MixpanelRecord> starts = out.stream().filter(r -> "Session Start".equals(r.eventName())
        && "user-1".equals(r.properties().path("distinct_id").asText())).toList();
    assertThat(starts).hasSize(1);
    return starts.get(0);
  }

  private List<String> storeKeys() {
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = store.all()) {
      it.forEachRemaining((KeyValue<String, byte[]> kv) -> keys.add(kv.key));
    }
    return keys;
  }

  @Test
  void aRestartedTaskGoesOnWithItsSessions() {
    Task first = new Task();
    first.track("user-1", "m1", T0);
    first.close();
    assertThat(storeKeys()).anyMatch(k -> k.startsWith(TaskState.sessionsPrefix("main")))
        .noneMatch(k -> k.startsWith(TaskState.LEGACY_SESSIONS_PREFIX));

    Task second = new Task();
    second.track("user-1", "m2", T0.plusSeconds(300));
    second.track("user-2", "m3", T0.plus(Duration.ofHours(3)));
    second.streamTime(T0.plus(Duration.ofHours(3)));
    second.wallClock(Duration.ofSeconds(10)); // user-1 quiet for backfillGrace: closed
    MixpanelRecord start = sessionStart(second.outgoing());
    assertThat(start.properties().get("Session Event Count").asInt()).isEqualTo(2);
  }

  /**
   * With a reorder window the records wait in the task's store: a task that stops before the
   * window is up runs them after its restart, in intake order (the track accepted first, though
   * it came second), and once.
   */
  @Test
  void recordsKeptForTheReorderWindowRunAfterARestartInIntakeOrder() {
    RelayConfig windowed = ConfigLoader.parse("""
        server: { host: 127.0.0.1, port: 0 }
        engine: kafka
        kafka: { bootstrapServers: "localhost:1", applicationId: app, intakeTopic: app-intake,
                 deadLetterTopic: app-dead-letters, linksTopic: app-links, partitions: 1,
                 reorderWindow: 2s }
        sources: [ { writeKey: wk, destination: main } ]
        destinations:
          main: { token: t, apiSecret: s, apiHost: "http://127.0.0.1:1",
                  sessions: { timeout: 30m, allowedLateness: 1m } }
        """, Map.of(), "test");
    Task first = new Task(windowed);
    first.track("user-1", "m2", T0.plus(Duration.ofHours(2)), 2);
    first.track("user-1", "m1", T0, 1); // accepted first, routed second: hours older
    assertThat(first.outgoing()).isEmpty();
    first.close();

    Task second = new Task(windowed);
    second.wallClock(Duration.ofSeconds(3));
    List<MixpanelRecord> out = second.outgoing();
    assertThat(out).filteredOn(r -> "Product Viewed".equals(r.eventName()))
        .extracting(r -> r.properties().get("time").asLong())
        .containsExactly(T0.toEpochMilli(), T0.plus(Duration.ofHours(2)).toEpochMilli());
    // the older one ran first, so it is not late: its session, closed by the newer event
    assertThat(out).filteredOn(r -> "Session Start".equals(r.eventName()))
        .extracting(r -> r.properties().get("time").asLong())
        .containsExactly(T0.toEpochMilli());
    second.wallClock(Duration.ofSeconds(3));
    assertThat(second.outgoing()).hasSize(out.size());
  }

  @Test
  void aWholeSnapshotIsMigratedToPerKeyEntriesOnce() {
    // the state as the previous version kept it: one snapshot per destination
    DestinationConfig main = config.destinations().get("main");
    Sessionizer legacy = Sessionizer.create(main.sessions(), main.settings().insertIdNamespace(),
        null, key -> true, Duration.ofMinutes(2).toMillis());
    Translation.Translated t = (Translation.Translated) translator.translate(
        SegmentMessage.fromNormalized(normalized("user-1", "m1", T0)), main, key -> null);
    legacy.onEvents(0, t.records(), clock.millis());
    store.init(new MockProcessorContext<>(new Properties(), new TaskId(1, 0), dir.toFile())
        .getStateStoreContext(), store);
    store.put(TaskState.LEGACY_SESSIONS_PREFIX + "main", legacy.snapshot());
    SuperPropertyStore legacyProfiles = SuperPropertyStore.inMemory(10);
    legacyProfiles.merge("main", "user-1", SegmentJson.MAPPER.createObjectNode().put("plan", "pro"));
    store.put(TaskState.LEGACY_PROFILES_PREFIX + "main", legacyProfiles.snapshot("main"));
    offset = 1;

    Task migrated = new Task();
    assertThat(storeKeys()).noneMatch(k -> k.startsWith(TaskState.LEGACY_SESSIONS_PREFIX))
        .noneMatch(k -> k.startsWith(TaskState.LEGACY_PROFILES_PREFIX))
        .contains(TaskState.profilesPrefix("main") + "user-1");
    migrated.track("user-1", "m2", T0.plusSeconds(300));
    assertThat(migrated.outgoing()).filteredOn(r -> "Product Viewed".equals(r.eventName()))
        .allMatch(r -> "pro".equals(r.properties().path("plan").asText()));
    assertThat(storeKeys()).anyMatch(k -> k.startsWith(TaskState.sessionsPrefix("main")));
    migrated.close();

    Task again = new Task(); // from the entries alone
    again.track("user-1", "m4", T0.plusSeconds(400));
    assertThat(again.outgoing()).filteredOn(r -> "Product Viewed".equals(r.eventName()))
        .hasSize(1).allMatch(r -> "pro".equals(r.properties().path("plan").asText()));
    again.context.resetForwards();
    again.track("user-2", "m3", T0.plus(Duration.ofHours(3)));
    again.streamTime(T0.plus(Duration.ofHours(3)));
    again.wallClock(Duration.ofSeconds(10)); // user-1 quiet for backfillGrace: closed
    MixpanelRecord start = sessionStart(again.outgoing());
    assertThat(start.properties().get("Session Event Count").asInt()).isEqualTo(3);
  }
}

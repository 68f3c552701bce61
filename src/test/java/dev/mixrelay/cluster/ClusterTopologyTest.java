package dev.mixrelay.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.ConfigLoader;
import dev.mixrelay.config.RelayConfig;
import dev.mixrelay.log.KafkaRecords;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.ops.Metrics;
import dev.mixrelay.segment.MessageNormalizer;
import dev.mixrelay.segment.MessageType;
import dev.mixrelay.segment.SegmentJson;
import dev.mixrelay.segment.Validation;
import dev.mixrelay.session.Handoff;
import dev.mixrelay.translate.Translator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processors' topology on {@link TopologyTestDriver} (one partition per topic, so every key
 * is on task 0): what a message becomes on the outgoing and dead-letter topics, and a link's
 * handoff. (The driver deletes its state directory when it closes: {@code SessionProcessorTest}
 * restarts a task over the same store.)
 */
class ClusterTopologyTest {
  private static final Instant T0 = Instant.parse("2026-11-20T08:00:00Z");
  private static Translator translator;

  @TempDir Path dir;

  @BeforeAll
  static void loadTranslator() {
    translator = new Translator();
  }

  private static RelayConfig config(int partitions) {
    return config(partitions, "0s");
  }

  /** {@code reorderWindow}: 0s runs the user-keyed records as they come (most tests here). */
  private static RelayConfig config(int partitions, String reorderWindow) {
    return ConfigLoader.parse("""
        server: { host: 127.0.0.1, port: 0 }
        engine: kafka
        kafka:
          bootstrapServers: "localhost:1"
          applicationId: app
          intakeTopic: app-intake
          deadLetterTopic: app-dead-letters
          linksTopic: app-links
          partitions: %d
          reorderWindow: %s
        sources: [ { writeKey: wk, destination: main } ]
        destinations:
          main:
            token: t
            apiSecret: s
            apiHost: "http://127.0.0.1:1"
            sessions: { timeout: 30m, allowedLateness: 1m }
        """.formatted(partitions, reorderWindow), Map.of(), "test");
  }

  /** One driver over the topology, its state in {@code dir}; the wall clock is the test's. */
  private final class Driver implements AutoCloseable {
    final RelayConfig config;
    final TopologyTestDriver driver;
    final TestInputTopic<String, byte[]> intake;
    final TestOutputTopic<String, byte[]> outgoing;
    final TestOutputTopic<String, byte[]> deadLetters;
    final TestOutputTopic<String, byte[]> handoffs;

    /** The relay's clock, moved with the driver's wall clock by {@link #advance}. */
    final MovableClock clock;

    /** Moves the relay's clock and the driver's wall clock (its punctuations) on together. */
    void advance(Duration by) {
      clock.now = clock.now.plus(by);
      driver.advanceWallClockTime(by);
    }

    Driver(int partitions) {
      this(config(partitions));
    }

    Driver(RelayConfig config) {
      this.config = config;
      this.clock = new MovableClock(T0.plusSeconds(60));
      ClusterTopology.Settings s = ClusterTopology.Settings.of(config);
      Properties p = new Properties();
      p.put(StreamsConfig.APPLICATION_ID_CONFIG, "app");
      p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");
      p.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
      driver = new TopologyTestDriver(ClusterTopology.build(s, translator, new Metrics(), clock),
          p, T0.plusSeconds(60));
      intake = driver.createInputTopic(s.intakeTopic(), new StringSerializer(),
          new ByteArraySerializer());
      outgoing = driver.createOutputTopic(s.outgoingTopic(), new StringDeserializer(),
          new ByteArrayDeserializer());
      deadLetters = driver.createOutputTopic(s.deadLetterTopic(), new StringDeserializer(),
          new ByteArrayDeserializer());
      handoffs = driver.createOutputTopic(s.handoffTopic(), new StringDeserializer(),
          new ByteArrayDeserializer());
    }

    /** Normalises the message as intake does and appends it to the intake topic. */
    void send(ObjectNode raw) {
      // received a minute after it happened (intake refuses times more than an hour ahead)
      Validation v = new MessageNormalizer(() -> "generated").normalizeOwned(raw, null, null,
          Instant.parse(raw.get("timestamp").asText()).plusSeconds(60));
      assertThat(v).isInstanceOf(Validation.Valid.class);
      append(raw);
    }

    /** Appends a message as it is, e.g. one a relay before today's intake rules accepted. */
    void append(ObjectNode raw) {
      append(raw, T0);
    }

    /** Appends a message as intake accepted it at {@code appendedAt}. */
    void append(ObjectNode raw, Instant appendedAt) {
      String key = raw.hasNonNull("anonymousId") ? raw.get("anonymousId").asText()
          : raw.path("userId").asText();
      TestRecord<String, byte[]> r = new TestRecord<>(key,
          raw.toString().getBytes(StandardCharsets.UTF_8), T0.plusSeconds(60));
      r.headers().add(KafkaRecords.SOURCE,
          config.sources().get(0).name().getBytes(StandardCharsets.UTF_8));
      r.headers().add(KafkaRecords.APPENDED_AT,
          ByteBuffer.allocate(8).putLong(appendedAt.toEpochMilli()).array());
      intake.pipeInput(r);
    }

    /** Every Mixpanel record on the outgoing topic so far, by destination. */
    Map<String, List<MixpanelRecord>> outgoingByDestination() {
      Map<String, List<MixpanelRecord>> all = new java.util.TreeMap<>();
      for (var r : outgoing.readRecordsToList()) {
        all.computeIfAbsent(Keys.destination(r.key()), k -> new ArrayList<>())
            .addAll(Outgoing.decode(r.value()));
      }
      return all;
    }

    /** Every Mixpanel record on the outgoing topic so far. */
    List<MixpanelRecord> outgoing() {
      List<MixpanelRecord> all = new ArrayList<>();
      for (var r : outgoing.readRecordsToList()) {
        assertThat(Keys.destination(r.key())).isEqualTo("main");
        all.addAll(Outgoing.decode(r.value()));
      }
      return all;
    }

    @Override
    public void close() {
      driver.close();
    }
  }

  private static ObjectNode message(String type, String id, String anonymousId, String userId,
      Instant at) {
    ObjectNode m = SegmentJson.MAPPER.createObjectNode().put("type", type).put("messageId", id)
        .put("timestamp", at.toString());
    if (anonymousId != null) {
      m.put("anonymousId", anonymousId);
    }
    if (userId != null) {
      m.put("userId", userId);
    }
    if (type.equals(MessageType.TRACK.wireName())) {
      m.put("event", "Product Viewed");
    }
    return m;
  }

  private static List<String> names(List<MixpanelRecord> records) {
    return records.stream().map(r -> r.eventName() == null ? r.endpoint().path()
        : r.eventName()).toList();
  }

  @Test
  void aTrackFlowsToTheOutgoingTopic() {
    try (Driver d = new Driver(1)) {
      d.send(message("track", "m1", "dev-1", "user-1", T0));
      List<MixpanelRecord> out = d.outgoing();
      assertThat(names(out)).contains("Product Viewed");
      MixpanelRecord track = out.stream().filter(r -> "Product Viewed".equals(r.eventName()))
          .findFirst().orElseThrow();
      assertThat(track.properties().get("distinct_id").asText()).isEqualTo("user-1");
      assertThat(track.insertId()).isNotBlank();
      assertThat(d.deadLetters.isEmpty()).isTrue();
    }
  }

  @Test
  void aMessageOfAnUnconfiguredSourceGoesToTheDeadLetterTopic() {
    // (a timestamp hours after receipt, which translation once refused here, is refused at
    // intake now: the sender is told)
    try (Driver d = new Driver(1)) {
      ObjectNode raw = message("track", "m1", "dev-1", null, T0);
      TestRecord<String, byte[]> r = new TestRecord<>("dev-1",
          raw.toString().getBytes(StandardCharsets.UTF_8), T0.plusSeconds(60));
      r.headers().add(KafkaRecords.SOURCE, "gone".getBytes(StandardCharsets.UTF_8));
      d.intake.pipeInput(r);
      assertThat(d.outgoing()).isEmpty();
      var letters = d.deadLetters.readRecordsToList();
      assertThat(letters).hasSize(1);
      assertThat(new String(letters.get(0).value(), StandardCharsets.UTF_8))
          .contains("\"endpoint\":\"segment\"").contains("is not configured");
    }
  }

  @Test
  void aLinkHandsTheDevicesSessionToTheUsersTask() {
    // two partitions: the device's key on task 0 (the driver's), the user's on partition 1
    String device = null;
    String user = null;
    for (int i = 0; device == null || user == null; i++) {
      if (device == null && Keys.partition(Keys.userKey("main", "$device:d" + i), 2) == 0) {
        device = "d" + i;
      }
      if (user == null && Keys.partition(Keys.userKey("main", "u" + i), 2) == 1) {
        user = "u" + i;
      }
    }
    try (Driver d = new Driver(2)) {
      d.send(message("page", "m1", device, null, T0));
      d.send(message("track", "m2", device, user, T0.plusSeconds(30)));
      // the link copy waits on the device's own timeline: it is placed once the device's task
      // has seen nothing from it for allowedLateness (1m) of wall-clock time
      // (the driver's topics have one partition, so the handoff comes back to this task, which
      // refuses it: it does not own the user; the handoff is on the topic all the same)
      assertThatThrownBy(() -> {
        d.send(message("page", "m3", "later", null, T0.plus(Duration.ofMinutes(10))));
        d.advance(Duration.ofSeconds(70));
      }).isInstanceOf(StreamsException.class).rootCause().hasMessageContaining("does not own");
      var handed = d.handoffs.readRecordsToList();
      assertThat(handed).isNotEmpty();
      Handoff h = Handoff.fromBytes(handed.get(0).value());
      assertThat(handed.get(0).key()).isEqualTo(Keys.userKey("main", user));
      assertThat(h.userKey()).isEqualTo(user);
      assertThat(h.deviceKey()).isEqualTo("$device:" + device);
      assertThat(h.carriesSession()).isTrue();
    }
  }

  /**
   * A backfilled user whose calls came through two intake partitions (a device's, keyed by its
   * anonymousId, and the server's, keyed by userId), and the server's partition was routed first:
   * its records reach the user's task before the device's older ones. Kept for the reorder window,
   * they run in the order intake accepted them, so the device's are not late and the user has one
   * session of all four; without the window the device's are late (hours older than the user's
   * newest) and stay out of it.
   */
  @Test
  void oneUsersRecordsFromTwoPartitionsRunInTheOrderIntakeAcceptedThem() {
    Instant start = T0.minus(Duration.ofHours(3));
    Instant accepted = T0;
    ObjectNode[] calls = new ObjectNode[4];
    for (int i = 0; i < 4; i++) {
      calls[i] = message("track", "m" + i, i % 2 == 0 ? "dev-a" : null, "u1",
          start.plus(Duration.ofMinutes(10L * i)));
    }
    int[] routed = {1, 3, 0, 2}; // the server's partition first, then the device's
    for (String window : List.of("2s", "0s")) {
      try (Driver d = new Driver(config(1, window))) {
        for (int i : routed) {
          d.append(calls[i], accepted.plusMillis(i));
        }
        d.advance(Duration.ofSeconds(3)); // the window is up: the four run, in intake order
        d.advance(Duration.ofHours(1)); // the user is quiet: the session closes
        List<MixpanelRecord> out = d.outgoing();
        List<MixpanelRecord> ends = out.stream()
            .filter(r -> "Session End".equals(r.eventName())).toList();
        assertThat(ends).as("reorderWindow %s", window).hasSize(1);
        int events = ends.get(0).properties().get("Session Event Count").asInt();
        if (window.equals("2s")) {
          assertThat(events).isEqualTo(4);
          assertThat(ends.get(0).properties().get("time").asLong())
              .isEqualTo(start.plus(Duration.ofMinutes(30)).toEpochMilli());
        } else {
          assertThat(events).isEqualTo(2); // the device's two came after the user's newest
        }
        assertThat(names(out).stream().filter("Product Viewed"::equals)).hasSize(4);
      }
    }
  }

  @Test
  void aSourceWithTwoDestinationsFeedsEachOnItsOwn() {
    RelayConfig twoDestinations = ConfigLoader.parse("""
        server: { host: 127.0.0.1, port: 0 }
        engine: kafka
        kafka:
          bootstrapServers: "localhost:1"
          applicationId: app
          intakeTopic: app-intake
          deadLetterTopic: app-dead-letters
          linksTopic: app-links
          partitions: 1
          reorderWindow: 0s
        sources: [ { writeKey: wk, destinations: [main, actions] } ]
        destinations:
          main:
            token: t
            apiSecret: s
            apiHost: "http://127.0.0.1:1"
            sessions: { timeout: 30m, allowedLateness: 1m }
          actions:
            token: t2
            apiSecret: s2
            apiHost: "http://127.0.0.1:2"
            settings: { compat: actions }
        """, Map.of(), "test");
    try (Driver d = new Driver(twoDestinations)) {
      ObjectNode m = message("track", "m1", "dev-1", "user-1", T0);
      ((ObjectNode) m.putObject("context").putObject("library")).put("name", "analytics.js");
      d.send(m);
      Map<String, List<MixpanelRecord>> out = d.outgoingByDestination();
      assertThat(out.keySet()).containsExactly("actions", "main");
      // each destination translated the message with its own settings
      MixpanelRecord legacy = out.get("main").stream()
          .filter(r -> "Product Viewed".equals(r.eventName())).findFirst().orElseThrow();
      MixpanelRecord actions = out.get("actions").stream()
          .filter(r -> "Product Viewed".equals(r.eventName())).findFirst().orElseThrow();
      assertThat(legacy.properties().get("mp_lib").asText()).isEqualTo("Segment: analytics.js");
      assertThat(actions.properties().get("mp_lib").asText())
          .isEqualTo("Segment Actions: analytics.js");
      assertThat(d.deadLetters.isEmpty()).isTrue();
    }
  }

  /** A clock the test moves. */
  static final class MovableClock extends Clock {
    Instant now;

    MovableClock(Instant now) {
      this.now = now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}

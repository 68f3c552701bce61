package dev.mixrelay.app;

import dev.mixrelay.demo.ManualClock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.cluster.EmbeddedKafka;
import dev.mixrelay.config.ConfigLoader;
import dev.mixrelay.config.RelayConfig;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.mock.MockMixpanel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * Runs one message stream through a single embedded relay and through a cluster (an intake node
 * and N processors on the test broker), each against its own mock Mixpanel and the same manual
 * clock, and collects what arrived: the events' {@code $insert_id}s and every session event.
 */
final class ClusterRuns {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Instant NOW = Instant.parse("2026-11-21T00:00:00Z");
  static final String WRITE_KEY = "cluster-key";
  /** The sessions of both runs: 30-minute timeout, the default lateness (60 s). */
  static final String SESSIONS = "{ timeout: 30m }";

  /** What the mock received: event insert ids, and session events by insert id. */
  record Outcome(TreeSet<String> events, TreeMap<String, String> sessions,
      TreeMap<String, String> eventsByInsertId) {}

  private ClusterRuns() {}

  static String destinationYaml(String apiHost) {
    return destinationYaml(apiHost, SESSIONS);
  }

  static String destinationYaml(String apiHost, String sessions) {
    return """
        sources: [ { writeKey: %s, destination: main } ]
        destinations:
          main:
            token: t
            apiSecret: s
            apiHost: "%s"
            delivery: { linger: 20ms }
            sessions: %s
        """.formatted(WRITE_KEY, apiHost, sessions);
  }

  static Outcome singleNode(Path dir, List<ObjectNode> messages) throws Exception {
    return singleNode(dir, messages, NOW);
  }

  static Outcome singleNode(Path dir, List<ObjectNode> messages, Instant start)
      throws Exception {
    return singleNode(dir, messages, start, SESSIONS);
  }

  static Outcome singleNode(Path dir, List<ObjectNode> messages, Instant start, String sessions)
      throws Exception {
    try (MockMixpanel mock = MockMixpanel.builder().port(0).build().start()) {
      RelayConfig config = ConfigLoader.parse("""
          server: { host: 127.0.0.1, port: 0 }
          storage: { dir: "%s" }
          """.formatted(dir.toString().replace("\\", "/")) + destinationYaml(mock.baseUrl(), sessions),
          Map.of(), "single");
      ManualClock clock = new ManualClock(start);
      try (RelayFixture fx = new RelayFixture(dir, config)) {
        fx.relay = RelayFixture.await(Relay.start(fx.vertx, config, clock));
        post(fx, messages);
        fx.waitUntil(() -> fx.relay.log().stats().acknowledgedOffset() == messages.size(),
            () -> "acknowledged " + fx.relay.log().stats());
        closeEverything(clock, mock::distinctInsertIds, () -> mock.sessions().size(), () -> true);
        return outcome(mock);
      }
    }
  }

  /** The cluster nodes of one run; each a relay of its own on its own Vert.x. */
  static final class Cluster implements AutoCloseable {
    final MockMixpanel mock = MockMixpanel.builder().port(0).build().start();
    final ManualClock clock;
    final RelayFixture intake;
    final List<RelayFixture> processors = new ArrayList<>();
    private final Path dir;
    private final String yaml;
    private String deadLetterTopic;
    private String app;
    private EmbeddedKafka kafka;
    private final int partitions;

    /** For a failure's message: the handoffs on the topic and the link-only copies. */
    String handoffRecords() {
      StringBuilder sb = new StringBuilder("handoffs on the topic:");
      for (var r : kafka.readAll(app + "-handoffs", 0, Duration.ofSeconds(5))) {
        var h = dev.mixrelay.session.Handoff.fromBytes(r.value());
        sb.append(' ').append(h.userKey()).append('|').append(h.deviceKey()).append('|')
            .append(h.time()).append(h.carriesSession() ? "+" : "-");
      }
      sb.append("; link-only copies:");
      for (var r : kafka.readAll(app + "-by-user", 0, Duration.ofSeconds(5))) {
        var kind = r.headers().lastHeader("kind");
        if (kind != null) {
          sb.append(' ').append(new String(r.value(), java.nio.charset.StandardCharsets.UTF_8));
        }
      }
      return sb.toString();
    }

    String deadLetterTopic() {
      return deadLetterTopic;
    }

    Cluster(Path dir, EmbeddedKafka kafka, int processorCount, int partitions) {
      this(dir, kafka, processorCount, partitions, NOW);
    }

    Cluster(Path dir, EmbeddedKafka kafka, int processorCount, int partitions, Instant start) {
      this(dir, kafka, processorCount, partitions, start, "");
    }

    /** {@code extraKafka}: more lines of the kafka block (indented two spaces). */
    Cluster(Path dir, EmbeddedKafka kafka, int processorCount, int partitions, Instant start,
        String extraKafka) {
      this(dir, kafka, processorCount, partitions, start, extraKafka,
          ClusterRuns::destinationYaml);
    }

    /** {@code destinations}: the sources and destinations blocks for the mock's base URL. */
    Cluster(Path dir, EmbeddedKafka kafka, int processorCount, int partitions, Instant start,
        String extraKafka, java.util.function.UnaryOperator<String> destinations) {
      this.dir = dir;
      this.partitions = partitions;
      this.clock = new ManualClock(start);
      String app = EmbeddedKafka.unique("relay");
      this.deadLetterTopic = app + "-dead-letters";
      this.app = app;
      this.kafka = kafka;
      this.yaml = """
          server: { host: 127.0.0.1, port: 0 }
          engine: kafka
          kafka:
            bootstrapServers: "%s"
            applicationId: %s
            intakeTopic: %s-intake
            deadLetterTopic: %s-dead-letters
            linksTopic: %s-links
            partitions: %d
            commitInterval: 200ms
            properties: { session.timeout.ms: "6000", heartbeat.interval.ms: "1000",
                          num.stream.threads: "2" }
          """.formatted(kafka.bootstrapServers(), app, app, app, app, partitions) + extraKafka
          + destinations.apply(mock.baseUrl());
      intake = node("intake", "intake");
      for (int i = 0; i < processorCount; i++) {
        processors.add(node("processor", "p" + i));
      }
    }

    /** The config of a node: the cluster's, with its role and its own directories. */
    String yaml(String role, String name) {
      Path d = dir.resolve(name);
      return yaml.replace("kafka:\n", "kafka:\n  stateDir: \"" + d.resolve("streams").toString()
          .replace("\\", "/") + "\"\n") + "role: " + role + "\n"
          + "storage: { dir: \"" + d.toString().replace("\\", "/") + "\" }\n";
    }

    /** Starts one more node in this JVM. */
    RelayFixture node(String role, String name) {
      Path d = dir.resolve(name);
      RelayConfig config = ConfigLoader.parse(yaml(role, name), Map.of(), name);
      RelayFixture fx = new RelayFixture(d, config);
      fx.relay = RelayFixture.await(Relay.start(fx.vertx, config, clock));
      return fx;
    }

    /** Waits until every processor's Streams instance is RUNNING. */
    void awaitRunning() {
      for (RelayFixture p : processors) {
        p.waitUntil(() -> p.relay.notReadyReasons().isEmpty(),
            () -> "processor not ready: " + p.relay.notReadyReasons());
      }
    }

    Outcome run(List<ObjectNode> messages) throws Exception {
      awaitRunning();
      post(intake, messages);
      awaitEvents(messages);
      return finish();
    }

    /** Waits until the mock has an event for every message that makes one. */
    void awaitEvents(List<ObjectNode> messages) {
      long events = messages.stream().filter(m -> !m.get("type").asText().equals("group"))
          .count();
      intake.waitUntil(() -> mock.distinctInsertIds() >= events,
          () -> "events at the mock " + mock.distinctInsertIds() + " of " + events, 150);
    }

    /**
     * Waits until every session task has started and none keeps a record for the reorder window.
     * The window runs on Kafka Streams' wall clock, the session rules on the manual one: a
     * record still kept when the manual clock moves on (a processor that was stopped within the
     * window of records it read again after a failover keeps them in its store, and the next one
     * runs them once their window passes) would run after the move, and a device's link copy
     * among them would then hand its session over only at the next move, after its user's task
     * gave up waiting. A real clock never jumps: there the link copy runs later and the rules
     * follow it.
     */
    void awaitReorderWindows() {
      intake.waitUntil(() -> processors.stream().mapToInt(p -> p.relay.clusterProcessor()
              .sessionTasks()).sum() >= partitions
              && processors.stream().allMatch(p -> p.relay.clusterProcessor().keptRecords() == 0),
          () -> "records still kept for the reorder window: " + processors.stream()
              .map(p -> p.relay.clusterProcessor().describeTasks()).toList(), 150);
    }

    /** Closes every session on the manual clock and collects what the mock received. */
    Outcome finish() throws Exception {
      try {
        awaitReorderWindows();
        closeEverything(clock, mock::distinctInsertIds, () -> mock.sessions().size(),
            () -> processors.stream().allMatch(p -> p.relay.clusterProcessor().parkedEvents()
                == 0));
      } catch (AssertionError e) {
        StringBuilder sb = new StringBuilder(e.getMessage());
        processors.forEach(p -> sb.append("; ").append(p.relay.clusterProcessor().describeTasks()));
        sb.append("; ").append(handoffRecords());
        throw new AssertionError(sb.toString(), e);
      }
      return outcome(mock);
    }

    /** The session and Kafka metrics of every processor, for a failure's message. */
    String processorMetrics() {
      StringBuilder sb = new StringBuilder();
      for (RelayFixture p : processors) {
        for (String line : p.get("/metrics").bodyAsString().split("\n")) {
          if ((line.startsWith("mixrelay_session") || line.startsWith("mixrelay_kafka_state"))
              && !line.endsWith(" 0.0")) {
            sb.append(line).append('\n');
          }
        }
      }
      return sb.toString();
    }

    @Override
    public void close() {
      for (RelayFixture p : processors) {
        p.close();
      }
      intake.close();
      mock.stop();
    }
  }

  static void post(RelayFixture fx, List<ObjectNode> messages) {
    for (int i = 0; i < messages.size(); i += 100) {
      ArrayNode batch = JSON.createArrayNode();
      messages.subList(i, Math.min(messages.size(), i + 100)).forEach(batch::add);
      ObjectNode body = JSON.createObjectNode().set("batch", batch);
      assertThat(fx.post("/v1/batch", body.toString(), Map.of("Authorization",
          RelayFixture.basic(WRITE_KEY))).statusCode()).isEqualTo(200);
    }
  }

  /**
   * Lets the watermarks catch up with the newest event time (past {@code allowedLateness} of
   * wall-clock time: every held event is placed, devices' sessions handed over), waits until the
   * mock is quiet and no task waits for a handoff, then moves two days on so every open session
   * closes, and waits again.
   */
  static void closeEverything(ManualClock clock, LongSupplier events, LongSupplier sessions,
      java.util.function.BooleanSupplier handedOver) throws Exception {
    // time passes as it would: first past allowedLateness (60 s) but within the handoff wait
    // (2 min), so devices' tasks place their link copies and hand their sessions over while the
    // users' tasks still wait for them; then past every rule
    for (Duration step : List.of(Duration.ofSeconds(90), Duration.ofHours(12).plusMinutes(10))) {
      clock.advance(step);
      awaitQuiet(events, sessions);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!handedOver.getAsBoolean()) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("events still wait for handoffs after 60 s");
        }
        Thread.sleep(100); // the test thread polls; the relays run on their own threads
      }
      Thread.sleep(1500); // a tick after the last adoption: the gauges are a tick old
    }
    clock.advance(Duration.ofDays(2));
    awaitQuiet(events, sessions);
  }

  /** Waits until neither count changed for 3 s (ticks are once a second, commits 200 ms). */
  private static void awaitQuiet(LongSupplier events, LongSupplier sessions) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    long last = -1;
    long stableSince = System.nanoTime();
    while (System.nanoTime() < deadline) {
      long now = events.getAsLong() * 1_000_003L + sessions.getAsLong();
      if (now != last) {
        last = now;
        stableSince = System.nanoTime();
      } else if (System.nanoTime() - stableSince > Duration.ofSeconds(3).toNanos()) {
        return;
      }
      Thread.sleep(100); // the test thread polls the mock; nothing here runs on an event loop
    }
    throw new AssertionError("the mock did not settle within 90 s");
  }

  /** The session events only one of two outcomes has, summarised, for a failure's message. */
  static String difference(Outcome expected, Outcome actual) {
    StringBuilder sb = new StringBuilder();
    for (var e : List.of(Map.entry("only expected", diff(expected, actual)),
        Map.entry("only actual", diff(actual, expected)))) {
      sb.append(e.getKey()).append(" (").append(e.getValue().size()).append("):\n");
      e.getValue().stream().sorted().limit(40).forEach(line -> sb.append("  ").append(line)
          .append('\n'));
    }
    return sb.toString();
  }

  private static List<String> diff(Outcome a, Outcome b) {
    List<String> out = new ArrayList<>();
    a.sessions().forEach((id, body) -> {
      if (!body.equals(b.sessions().get(id))) {
        try {
          JsonNode r = JSON.readTree(body);
          JsonNode p = r.get("properties");
          out.add(p.path("distinct_id").asText() + " " + r.path("event").asText() + " "
              + Instant.ofEpochMilli(p.path("time").asLong()) + " count="
              + p.path("Session Event Count").asInt() + " duration="
              + p.path("Session Duration (Seconds)").asDouble() + " " + id.substring(0, 8));
        } catch (java.io.IOException e) {
          out.add(body);
        }
      }
    });
    return out;
  }

  static Outcome outcome(MockMixpanel mock) {
    TreeSet<String> events = new TreeSet<>();
    for (MixpanelRecord r : mock.events()) {
      events.add(r.insertId());
    }
    TreeMap<String, String> described = new TreeMap<>();
    for (MixpanelRecord r : mock.events()) {
      JsonNode p = r.body().get("properties");
      described.put(r.insertId(), p.path("distinct_id").asText() + " " + r.eventName() + " "
          + Instant.ofEpochMilli(p.path("time").asLong()));
    }
    TreeMap<String, String> sessions = new TreeMap<>();
    for (MixpanelRecord r : mock.sessions()) {
      JsonNode body = r.body();
      sessions.put(r.insertId(), body.toString());
      events.remove(r.insertId());
    }
    return new Outcome(events, sessions, described);
  }
}

package dev.mixrelay.cli;

import dev.mixrelay.imports.Polling;

import dev.mixrelay.demo.DemoTraffic;
import dev.mixrelay.demo.DemoSummary;
import dev.mixrelay.demo.IntakeClient;
import dev.mixrelay.demo.CountingDelivery;
import dev.mixrelay.demo.ManualClock;
import dev.mixrelay.app.Relay;

import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.config.LoggingConfig;
import dev.mixrelay.config.MockConfig;
import dev.mixrelay.config.RelayConfig;
import dev.mixrelay.config.ServerConfig;
import dev.mixrelay.config.StorageConfig;
import dev.mixrelay.log.DeadLetterRow;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.mock.MockCounts;
import dev.mixrelay.mock.MockMixpanel;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code demo}: starts a relay with the embedded mock Mixpanel (temporary storage, free ports),
 * sends a generated day of Segment traffic through its HTTP intake, lets every session close, and
 * prints a summary whose numbers reconcile.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = {"Send a generated day of Segment traffic through a relay and the embedded mock"
        + " Mixpanel, then print a summary whose numbers reconcile.",
        "Temporary storage and free ports: it never touches a running relay or real Mixpanel."})
public final class DemoCommand implements dev.mixrelay.cli.Command {
  static final int BATCH = 100;
  private static final Duration LIMIT = Duration.ofSeconds(120);
  private static final String SESSION_DURATION = "Session Duration (Seconds)";

  @Mixin
  ConfigOption config = new ConfigOption();

  @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
      description = "the traffic's random seed (default: ${DEFAULT-VALUE})")
  long seed = 42;

  @Option(names = "--users", paramLabel = "N", defaultValue = "1000",
      description = "how many users, 1 to 100000 (default: ${DEFAULT-VALUE})")
  int users = 1000;

  @Option(names = "--verbose", description = "show the relay's INFO log")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    if (users < 1 || users > 100_000) {
      System.err.println("mixrelay: --users must be between 1 and 100000, was " + users);
      return 2;
    }
    RelayConfig config = this.config.load();
    if (config == null) {
      return 2;
    }
    Logging.configure(new LoggingConfig(config.logging().format(), verbose ? "INFO" : "WARN"));
    System.out.println("demo: sending one day of traffic for " + users + " users through a relay"
        + " and the embedded mock Mixpanel ...");
    long t0 = System.nanoTime();
    DemoSummary summary = run(config, seed, users);
    System.out.print(summary.format((System.nanoTime() - t0) / 1e9));
    return summary.reconciles() ? 0 : 1;
  }

  /** Lets a test act on the demo's running relay; every call is made on the demo's thread. */
  public interface Hooks {
    Hooks NONE = new Hooks() {};

    /** The relay is up; no traffic sent yet. */
    default void started(Relay relay) throws Exception {}

    /** The day's traffic is in the log and finished; the clock has not moved on yet. */
    default void trafficDone(Relay relay) throws Exception {}

    /** Every session is closed and delivery is quiet; the relay is still running. */
    default void finished(Relay relay) throws Exception {}
  }

  /** Runs the demo on {@code config} made safe for it: temporary storage, free ports, the mock. */
  public static DemoSummary run(RelayConfig config, long seed, int users) throws Exception {
    return run(config, seed, users, Hooks.NONE);
  }

  /** As {@link #run(RelayConfig, long, int)}, calling {@code hooks} along the way. */
  public static DemoSummary run(RelayConfig config, long seed, int users, Hooks hooks) throws Exception {
    Path dir = Files.createTempDirectory("mixrelay-demo-");
    Vertx vertx = Vertx.vertx();
    try {
      return run(vertx, forDemo(config, dir), seed, users, hooks);
    } finally {
      Polling.await(vertx.close(), LIMIT);
      deleteTree(dir);
    }
  }

  static RelayConfig forDemo(RelayConfig c, Path dir) {
    ServerConfig s = c.server();
    RelayConfig demo = new RelayConfig(
        new ServerConfig("127.0.0.1", 0, s.maxMessageBytes(), s.maxRequestBytes(),
            s.maxBatchMessages(), s.idleTimeout(), s.requestTimeout(), null, s.shutdownTimeout()),
        new StorageConfig(dir.toString(), StorageConfig.FsyncMode.off, c.storage().maxLogBytes(),
            c.storage().maxCommitDelay()),
        c.sources(), c.destinations(), c.admin(), c.logging(), new MockConfig("127.0.0.1", 0),
        null, null, null, c.dedup());
    for (DestinationConfig d : c.destinations().values()) {
      demo = demo.withDestination(d.withApiHost(DestinationConfig.EMBEDDED_MOCK));
    }
    return demo;
  }

  private static DemoSummary run(Vertx vertx, RelayConfig config, long seed, int users,
      Hooks hooks) throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Instant day = now.truncatedTo(ChronoUnit.DAYS).minus(1, ChronoUnit.DAYS);
    ManualClock clock = new ManualClock(now);
    Set<String> sessionEvents = new HashSet<>();
    Duration closeAfter = Duration.ZERO;
    for (DestinationConfig d : config.destinations().values()) {
      sessionEvents.add(d.sessions().startEventName());
      sessionEvents.add(d.sessions().endEventName());
      Duration idle = d.sessions().timeout().plus(d.sessions().allowedLateness());
      closeAfter = idle.compareTo(closeAfter) > 0 ? idle : closeAfter;
    }
    CountingDelivery[] counting = new CountingDelivery[1];
    Relay relay = Polling.await(Relay.start(vertx, config, clock, r -> {
      counting[0] = new CountingDelivery(Relay.mixpanelDelivery(r), sessionEvents);
      return counting[0];
    }), LIMIT);
    try {
      hooks.started(relay);
      DemoTraffic.Day traffic = DemoTraffic.generate(seed, users, day);
      Sent sent = send(vertx, relay, traffic);
      Polling.await(relay.logFinished(), LIMIT);
      hooks.trafficDone(relay);
      clock.advance(closeAfter.plusMinutes(1));
      Polling.await(quiet(vertx, counting[0]), LIMIT);
      hooks.finished(relay);
      List<DeadLetterRow> letters = Polling.await(relay.log().listDeadLetters(null, 0,
          Integer.MAX_VALUE), LIMIT);
      return summarize(seed, users, day, sent, counting[0], relay, letters);
    } finally {
      Polling.await(relay.stop(Duration.ofSeconds(10)), LIMIT);
    }
  }

  /** What intake answered, summed over the batches. */
  private record Sent(long messages, long accepted, Map<String, Integer> rejected) {}

  private static Sent send(Vertx vertx, Relay relay, DemoTraffic.Day traffic) throws Exception {
    String writeKey = relay.config().sources().get(0).writeKey();
    long accepted = 0;
    Map<String, Integer> rejected = new HashMap<>();
    try (IntakeClient client = new IntakeClient(vertx, relay.port(), writeKey, false)) {
      List<DemoTraffic.Message> all = traffic.messages();
      for (int i = 0; i < all.size(); i += BATCH) {
        List<byte[]> batch = new ArrayList<>(BATCH);
        for (DemoTraffic.Message m : all.subList(i, Math.min(all.size(), i + BATCH))) {
          batch.add(m.json().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        // one batch at a time: the log keeps the timestamp order the sessions are computed in
        IntakeClient.Result result = Polling.await(client.post(batch), LIMIT);
        accepted += result.accepted();
        result.rejectedByReason().forEach((r, n) -> rejected.merge(r, n, Integer::sum));
      }
      return new Sent(all.size(), accepted, rejected);
    }
  }

  /**
   * Completes once delivery is idle and has stayed so across two session ticks (one second each)
   * after the clock moved: the tick that closes the remaining sessions has run and its sends ended.
   */
  private static io.vertx.core.Future<Void> quiet(Vertx vertx, CountingDelivery delivery) {
    long[] last = {-1, 0};
    return Polling.until(vertx, () -> {
      long sends = delivery.sends();
      if (delivery.inFlight() == 0 && sends == last[0]) {
        last[1]++;
      } else {
        last[1] = 0;
      }
      last[0] = sends;
      return last[1] >= 2;
    }, 1100);
  }

  private static DemoSummary summarize(long seed, int users, Instant day, Sent sent,
      CountingDelivery delivery, Relay relay, List<DeadLetterRow> letters) {
    MockMixpanel mock = relay.mock();
    long deadMessages = letters.stream().filter(l -> l.endpoint().equals("segment")).count();
    Map<String, Long> deadRecords = new LinkedHashMap<>();
    Map<String, Long> handed = new LinkedHashMap<>();
    for (Endpoint e : Endpoint.values()) {
      handed.put(e.path(), delivery.records(e));
      deadRecords.put(e.path(), letters.stream().filter(l -> l.endpoint().equals(e.path())).count());
    }
    MockCounts counts = mock.counts();
    Map<String, Long> atMock = Map.of(Endpoint.IMPORT.path(), counts.uniqueEvents(),
        Endpoint.ENGAGE.path(), counts.engageOps(), Endpoint.GROUPS.path(), counts.groupOps());
    List<Double> durations = new ArrayList<>();
    for (MixpanelRecord r : mock.sessions()) {
      var seconds = r.properties().get(SESSION_DURATION);
      if (seconds != null && r.eventName().equals("Session End")) {
        durations.add(seconds.asDouble());
      }
    }
    double mean = durations.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    Map<String, Long> skipped = new java.util.TreeMap<>();
    for (Counter c : relay.metrics().registry().find("mixrelay_messages_skipped_total").counters()) {
      skipped.merge(c.getId().getTag("reason"), (long) c.count(), Long::sum);
    }
    return new DemoSummary(seed, users, day.toString().substring(0, 10), sent.messages(),
        sent.accepted(), sent.rejected(), delivery.messageSends(), deadMessages, skipped, handed,
        atMock,
        deadRecords, counts.sessionEnds(), Math.round(mean * 10) / 10.0, letters.size());
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("mixrelay: could not remove the demo's temporary directory " + dir);
    }
  }
}

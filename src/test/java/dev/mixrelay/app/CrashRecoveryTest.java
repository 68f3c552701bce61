package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.config.ConfigLoader;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.mock.Faults;
import dev.mixrelay.mock.MockMixpanel;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay process is killed with SIGKILL mid-stream while the mock Mixpanel fails some requests,
 * then started again on the same data directory. Afterwards the mock holds every accepted event
 * (by distinct $insert_id, nothing lost), and the Session Start / End $insert_ids equal those of an
 * uninterrupted run over the same input.
 */
class CrashRecoveryTest {
  private static final int MESSAGES = 4000;
  private static final int BATCH = 100;
  private static final long BASE = Instant.parse("2025-03-01T08:00:00Z").toEpochMilli();

  @TempDir
  Path tmp;

  /** One day of events for 40 users with gaps around the 30-minute timeout, then a flush event. */
  static List<String> batches() {
    Random rnd = new Random(7);
    long[] userTime = new long[40];
    List<String> lines = new ArrayList<>();
    for (int n = 0; n < MESSAGES; n++) {
      int u = rnd.nextInt(40);
      userTime[u] += (rnd.nextInt(10) < 8 ? 60_000L * (1 + rnd.nextInt(20)) : 60_000L * (31 + rnd.nextInt(90)));
      lines.add("{\"type\":\"track\",\"userId\":\"user-" + u + "\",\"event\":\"E" + n + "\",\"messageId\":\"m-" + n
          + "\",\"timestamp\":\"" + Instant.ofEpochMilli(BASE + userTime[u] + n) + "\"}");
    }
    // far past every session's deadline: the watermark closes all other users' sessions
    lines.add("{\"type\":\"track\",\"userId\":\"flush\",\"event\":\"Flush\",\"messageId\":\"m-flush\","
        + "\"timestamp\":\"" + Instant.ofEpochMilli(BASE + 30L * 24 * 3600_000) + "\"}");
    List<String> batches = new ArrayList<>();
    for (int i = 0; i < lines.size(); i += BATCH) {
      batches.add("{\"batch\":[" + String.join(",", lines.subList(i, Math.min(lines.size(), i + BATCH))) + "]}");
    }
    return batches;
  }

  @Test
  void aKill9MidStreamLosesNothingAndSessionsMatchAnUninterruptedRun() throws Exception {
    List<String> batches = batches();
    Set<String> uninterrupted = uninterruptedSessionIds(batches);

    Vertx vertx = Vertx.vertx();
    WebClient client = WebClient.create(vertx);
    try (MockMixpanel mock = MockMixpanel.builder().port(0).build().start()) {
      mock.faults(Faults.NONE.withErrorRate(0.2, 500).withRateLimitRate(0.05, 1)
          .withResetAfterAcceptRate(0.05).withSeed(3));
      int port = RelayProcess.freePort();
      Path config = writeConfig(tmp.resolve("crash"), port, mock.baseUrl());
      Process relay = RelayProcess.relay(config, Path.of("target/crash-1.log"), "-Xmx512m");
      RelayProcess.awaitOk(vertx, client, port, "/ready", 60);
      Set<Integer> accepted = new TreeSet<>();
      int half = batches.size() / 2;
      for (int b = 0; b < half; b++) {
        if (post(client, port, batches.get(b)) == 200) {
          accepted.add(b);
        }
      }
      // kill only once delivery is under way: some requests answered (faults included), not all
      RelayProcess.waitFor(vertx, () -> mock.counts().requests() >= 2, 60);
      relay.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      Process again = RelayProcess.relay(config, Path.of("target/crash-2.log"), "-Xmx512m");
      try {
        RelayProcess.awaitOk(vertx, client, port, "/ready", 60);
        for (int b = half; b < batches.size(); b++) {
          if (post(client, port, batches.get(b)) == 200) {
            accepted.add(b);
          }
        }
        assertThat(accepted).hasSize(batches.size());
        RelayProcess.waitFor(vertx, () -> mock.events().stream().filter(e -> !isSession(e))
            .map(MixpanelRecord::insertId).distinct().count() >= MESSAGES + 1
            && sessionIds(mock).containsAll(uninterrupted), 120);
        Set<String> eventIds = mock.events().stream().filter(e -> !isSession(e))
            .map(MixpanelRecord::eventName).collect(Collectors.toSet());
        assertThat(eventIds).hasSize(MESSAGES + 1);
        assertThat(sessionIds(mock)).isEqualTo(uninterrupted);
        var counts = mock.counts();
        String report = "crash test: " + counts.events() + " events received by the mock, "
            + counts.distinctInsertIds() + " distinct $insert_ids, " + counts.duplicates()
            + " duplicates removed by de-duplication, requests by status " + counts.requestsByStatus()
            + "; " + uninterrupted.size()
            + " session events, equal to the uninterrupted run";
        System.out.println(report);
        Files.createDirectories(Path.of("target/bench"));
        Files.writeString(Path.of("target/bench/crash.txt"), report + "\n");
      } finally {
        again.destroy();
        again.waitFor(30, TimeUnit.SECONDS);
        vertx.close();
      }
    }
  }

  private Set<String> uninterruptedSessionIds(List<String> batches) throws Exception {
    try (MockMixpanel mock = MockMixpanel.builder().port(0).build().start()) {
      Path dir = tmp.resolve("straight");
      var cfg = ConfigLoader.load(writeConfig(dir, 0, mock.baseUrl()), Map.of());
      try (RelayFixture fx = new RelayFixture(dir, cfg)) {
        fx.relay = RelayFixture.await(Relay.start(fx.vertx, cfg, java.time.Clock.systemUTC()));
        for (String b : batches) {
          assertThat(fx.post("/v1/batch", b, Map.of("Authorization", RelayFixture.basic("crash-key")))
              .statusCode()).isEqualTo(200);
        }
        fx.waitUntil(() -> mock.events().stream().filter(e -> !isSession(e)).count() >= MESSAGES + 1
            && fx.relay.log().stats().unackedMessages() == 0, () -> "uninterrupted run: " + mock.counts());
        // the flush message's own delivery carries the sessions its watermark closed
        assertThat(sessionIds(mock)).isNotEmpty();
        return sessionIds(mock);
      }
    }
  }

  private static boolean isSession(MixpanelRecord r) {
    return r.eventName().startsWith("Session ");
  }

  private static Set<String> sessionIds(MockMixpanel mock) {
    return mock.sessions().stream().map(MixpanelRecord::insertId).collect(Collectors.toCollection(HashSet::new));
  }

  private static Path writeConfig(Path dir, int port, String apiHost) throws Exception {
    Files.createDirectories(dir);
    Path f = dir.resolve("mixrelay.yaml");
    Files.writeString(f, """
        server: { host: 127.0.0.1, port: %d }
        storage: { dir: "%s", fsync: batch }
        sources: [ { writeKey: crash-key, destination: main } ]
        destinations:
          main:
            token: t
            apiSecret: s
            apiHost: "%s"
            delivery: { linger: 50ms, initialBackoff: 100ms, maxBackoff: 1s, requestTimeout: 5s }
            sessions: { mode: timeout, timeout: 30m, allowedLateness: 60s }
        """.formatted(port, dir.resolve("data").toString().replace("\\", "/"), apiHost));
    return f;
  }

  private static int post(WebClient client, int port, String body) {
    try {
      return client.post(port, "127.0.0.1", "/v1/batch").putHeader("Content-Type", "application/json")
          .putHeader("Authorization", RelayFixture.basic("crash-key")).sendBuffer(Buffer.buffer(body))
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }
}

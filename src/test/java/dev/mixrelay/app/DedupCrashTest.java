package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.mock.Faults;
import dev.mixrelay.mock.MockMixpanel;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL of the relay mid-stream while the mock fails a share of requests with 500 and 429, with
 * a profile increment in every message: afterwards each user's {@code $add} sum at the mock equals
 * its number of distinct messages, but for the operations of requests in flight at the kill (a
 * request Mixpanel took whose mark was not yet on disk), which the test counts and reports.
 * Batches the kill cut off are sent again, as a Segment library does: the window drops them.
 */
class DedupCrashTest {
  static final int USERS = 500;
  static final int MESSAGES = 8000;
  static final int BATCH = 100;

  @TempDir
  Path tmp;

  @Test
  void aKill9MidStreamAppliesEachIncrementOnceButForRequestsInFlight() throws Exception {
    Random rnd = new Random(16);
    int[] expected = new int[USERS];
    List<String> batches = new ArrayList<>();
    StringBuilder b = null;
    for (int n = 0; n < MESSAGES; n++) {
      if (n % BATCH == 0) {
        b = new StringBuilder("{\"batch\":[");
      }
      int u = rnd.nextInt(USERS);
      expected[u]++;
      b.append(n % BATCH == 0 ? "" : ",").append("{\"type\":\"track\",\"event\":\"Logged In\",")
          .append("\"userId\":\"user-").append(u).append("\",\"messageId\":\"crash-").append(n)
          .append("\"}");
      if (n % BATCH == BATCH - 1) {
        batches.add(b.append("]}").toString());
      }
    }

    Vertx vertx = Vertx.vertx();
    WebClient client = WebClient.create(vertx);
    try (MockMixpanel mock = MockMixpanel.builder().port(0).build().start()) {
      mock.faults(Faults.NONE.withErrorRate(0.2, 500).withRateLimitRate(0.1, 1).withSeed(5));
      int port = RelayProcess.freePort();
      Path config = writeConfig(tmp.resolve("crash"), port, mock.baseUrl());
      Process relay = RelayProcess.relay(config, Path.of("target/dedup-crash-1.log"), "-Xmx512m");
      RelayProcess.awaitOk(vertx, client, port, "/ready", 60);
      int sent = 0;
      int half = batches.size() / 2;
      for (; sent < half; sent++) {
        post(client, port, batches.get(sent));
      }
      // kill while /engage requests are under way
      RelayProcess.waitFor(vertx, () -> mock.counts().engageOps() >= MESSAGES / 8, 60, 5);
      relay.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      long opsAtKill = mock.counts().engageOps();
      Process again = RelayProcess.relay(config, Path.of("target/dedup-crash-2.log"), "-Xmx512m");
      try {
        RelayProcess.awaitOk(vertx, client, port, "/ready", 60);
        // the client resends the batch whose answer the kill swallowed, then the rest
        for (int i = Math.max(0, half - 2); i < batches.size(); i++) {
          assertThat(post(client, port, batches.get(i))).isEqualTo(200);
        }
        RelayProcess.waitFor(vertx, () -> {
          Map<String, Long> now = addSums(mock);
          for (int u = 0; u < USERS; u++) {
            if (now.getOrDefault("user-" + u, 0L) < expected[u]) {
              return false;
            }
          }
          return mock.distinctInsertIds() >= MESSAGES;
        }, 180);
        Thread.sleep(2000); // anything still arriving would be a repeat
        Map<String, Long> sums = addSums(mock);
        long excess = 0;
        long usersOver = 0;
        for (int u = 0; u < USERS; u++) {
          long got = sums.getOrDefault("user-" + u, 0L);
          assertThat(got).as("user-" + u + " lost an increment").isGreaterThanOrEqualTo(expected[u]);
          excess += got - expected[u];
          usersOver += got > expected[u] ? 1 : 0;
        }
        String report = String.format("dedup crash test: %d messages with a $add each, %d users,"
            + " SIGKILL after %d ops reached the mock; %d increments applied twice (%d users) ="
            + " operations of /engage requests in flight at the kill; requests by status %s",
            MESSAGES, USERS, opsAtKill, excess, usersOver, mock.counts().requestsByStatus());
        System.out.println(report);
        Files.createDirectories(Path.of("target/bench"));
        Files.writeString(Path.of("target/bench/dedup-crash.txt"), report + "\n");
        // in flight at the kill: at most maxConcurrency requests of maxBatchRecords operations
        assertThat(excess).isLessThanOrEqualTo(4L * 200);
      } finally {
        again.destroy();
        again.waitFor(30, TimeUnit.SECONDS);
        vertx.close();
      }
    }
  }

  /** Per distinct_id, the sum of the {@code $add} values the mock accepted. */
  static Map<String, Long> addSums(MockMixpanel mock) {
    Map<String, Long> out = new HashMap<>();
    for (MixpanelRecord r : mock.engageOps()) {
      JsonNode add = r.body().path("$add");
      if (add.isObject()) {
        long[] s = {0};
        add.fields().forEachRemaining(f -> s[0] += f.getValue().asLong());
        out.merge(r.body().path("$distinct_id").asText(), s[0], Long::sum);
      }
    }
    return out;
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
            settings: { eventIncrements: [Logged In] }
            sessions: { mode: off }
            delivery: { linger: 20ms, maxBatchRecords: 200, maxConcurrency: 4, initialBackoff: 100ms,
                        maxBackoff: 1s, requestTimeout: 5s }
        """.formatted(port, dir.resolve("data").toString().replace("\\", "/"), apiHost));
    return f;
  }

  private static int post(WebClient client, int port, String body) {
    for (int attempt = 0; attempt < 5; attempt++) {
      try {
        int status = client.post(port, "127.0.0.1", "/v1/batch")
            .putHeader("Content-Type", "application/json")
            .putHeader("Authorization", RelayFixture.basic("crash-key")).sendBuffer(Buffer.buffer(body))
            .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).statusCode();
        if (status == 200) {
          return status;
        }
      } catch (Exception e) {
        // retried, as a Segment library does
      }
    }
    return -1;
  }
}

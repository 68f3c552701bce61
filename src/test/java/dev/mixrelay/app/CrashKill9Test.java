package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.mock.Faults;
import dev.mixrelay.mock.MockMixpanel;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay process is killed with SIGKILL in the middle of a stream while the mock fails some
 * requests, then started again on the same data directory: every accepted event reaches the mock.
 */
class CrashKill9Test {
  private static final String WRITE_KEY = "crash-write-key";

  @TempDir
  Path dir;

  @Test
  void aRelayKilledWithSigkillLosesNoAcceptedEvent() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (MockMixpanel mock = MockMixpanel.builder().faults(Faults.NONE.withErrorRate(0.2, 503)
        .withResetAfterAcceptRate(0.05).withSeed(11)).build().start()) {
      int port = freePort();
      Path config = writeConfig(port, mock.baseUrl());
      Set<Integer> accepted = ConcurrentHashMap.newKeySet();
      HttpClient http = HttpClient.newHttpClient();

      Process first = startRelay(config, "first");
      int next = 0;
      try {
        awaitHealthy(vertx, http, port);
        while (accepted.size() < 3000 || mock.counts().distinctInsertIds() < 500) {
          next = post(http, port, next, accepted);
        }
      } finally {
        first.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no flush
      }
      int before = (int) mock.counts().distinctInsertIds();

      Process second = startRelay(config, "second");
      try {
        awaitHealthy(vertx, http, port);
        for (int i = 0; i < 10; i++) {
          next = post(http, port, next, accepted);
        }
        eventually(vertx, Duration.ofSeconds(90), () -> arrived(mock).containsAll(accepted));
      } finally {
        second.destroyForcibly().waitFor();
      }

      Set<Integer> arrived = arrived(mock);
      assertThat(arrived).containsAll(accepted);
      assertThat(mock.counts().distinctInsertIds()).isEqualTo(arrived.size());
      System.out.printf("kill -9: %d accepted, %d in the mock before the kill, %d after the"
          + " restart; %d duplicates reached the mock (de-duplicated by $insert_id)%n",
          accepted.size(), before, arrived.size(), mock.counts().duplicates());
    } finally {
      RelayFixture.await(vertx.close());
    }
  }

  private static Set<Integer> arrived(MockMixpanel mock) {
    Set<Integer> out = new HashSet<>();
    for (MixpanelRecord r : mock.events()) {
      if (r.properties() != null && r.properties().has("n")) {
        out.add(r.properties().get("n").asInt());
      }
    }
    return out;
  }

  /** Posts one batch of 50 track calls; the numbers are accepted only on a 200. */
  private static int post(HttpClient http, int port, int from, Set<Integer> accepted) {
    StringBuilder b = new StringBuilder("{\"batch\":[");
    for (int i = from; i < from + 50; i++) {
      b.append(i == from ? "" : ",").append("{\"type\":\"track\",\"userId\":\"u").append(i % 50)
          .append("\",\"event\":\"Played\",\"messageId\":\"crash-").append(i)
          .append("\",\"properties\":{\"n\":").append(i).append("}}");
    }
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/batch"))
        .header("Content-Type", "application/json")
        .header("Authorization", RelayFixture.basic(WRITE_KEY))
        .POST(HttpRequest.BodyPublishers.ofString(b.append("]}").toString())).build();
    try {
      if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
        for (int i = from; i < from + 50; i++) {
          accepted.add(i);
        }
      }
    } catch (Exception notAccepted) {
      // not acknowledged to the client: it may or may not be in the log
    }
    return from + 50;
  }

  private Process startRelay(Path config, String name) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    return new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
        "dev.mixrelay.app.Main", "run", "--config", config.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
  }

  private Path writeConfig(int port, String apiHost) throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    String yaml = """
        server: { host: 127.0.0.1, port: %d }
        storage: { dir: "%s", fsync: batch }
        sources:
          - { writeKey: %s, destination: main }
        destinations:
          main:
            token: test-token
            apiSecret: test-api-secret
            apiHost: "%s"
            delivery: { linger: 50ms, initialBackoff: 100ms, maxBackoff: 1s, requestTimeout: 5s }
        """.formatted(port, data.toString().replace("\\", "/"), WRITE_KEY, apiHost);
    return Files.writeString(dir.resolve("mixrelay.yaml"), yaml);
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void awaitHealthy(Vertx vertx, HttpClient http, int port) {
    HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
        .build();
    eventually(vertx, Duration.ofSeconds(60), () -> {
      try {
        return http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
      } catch (Exception notYet) {
        return false;
      }
    });
  }

  private static void eventually(Vertx vertx, Duration timeout, BooleanSupplier ok) {
    long end = System.nanoTime() + timeout.toNanos();
    while (!ok.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within " + timeout).isLessThan(end);
      Promise<Void> tick = Promise.promise();
      vertx.setTimer(100, id -> tick.complete());
      RelayFixture.await(tick.future());
    }
  }
}

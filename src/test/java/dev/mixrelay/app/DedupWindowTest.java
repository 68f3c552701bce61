package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mixrelay.config.ConfigLoader;
import dev.mixrelay.config.RelayConfig;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.mock.MockMixpanel;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The messageId de-duplication window of the embedded engine: a repeat within the window is
 * answered as accepted, not appended, counted; profile operations reach Mixpanel once.
 */
class DedupWindowTest {
  static final Map<String, String> AUTH = Map.of("Authorization", RelayFixture.basic("dedup-key"));
  static final int USERS = 40;

  @TempDir
  Path dir;

  static RelayConfig config(Path dir, String apiHost, String extra) {
    return ConfigLoader.parse("""
        server: { host: 127.0.0.1, port: 0 }
        storage: { dir: "%s", fsync: batch }
        admin: { token: admin-token-for-dedup-tests }
        sources:
          - { name: web, writeKey: dedup-key, destination: main }
        destinations:
          main:
            token: mix-token
            apiSecret: mix-secret
            apiHost: "%s"
            settings: { eventIncrements: [Logged In] }
            sessions: { mode: off }
            delivery: { linger: 20ms, initialBackoff: 50ms, maxBackoff: 500ms, requestTimeout: 2s }
        %s
        """.formatted(dir.toString().replace("\\", "/"), apiHost, extra), Map.of(), "t");
  }

  /** The batch: per user an identify, three "Logged In" (increments) and one order. */
  static String profileBatch(String prefix) {
    StringBuilder b = new StringBuilder("{\"batch\":[");
    for (int u = 0; u < USERS; u++) {
      String user = prefix + "user-" + u;
      b.append(u == 0 ? "" : ",").append("{\"type\":\"identify\",\"userId\":\"").append(user)
          .append("\",\"messageId\":\"").append(user).append("-identify\",\"traits\":{\"plan\":\"pro\"}}");
      for (int i = 0; i < 3; i++) {
        b.append(",{\"type\":\"track\",\"event\":\"Logged In\",\"userId\":\"").append(user)
            .append("\",\"messageId\":\"").append(user).append("-login-").append(i).append("\"}");
      }
      b.append(",{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"").append(user)
          .append("\",\"messageId\":\"").append(user).append("-order\",")
          .append("\"properties\":{\"revenue\":19.5,\"orderId\":\"o-").append(u).append("\"}}");
    }
    return b.append("]}").toString();
  }

  /** Per distinct_id: the sum of every {@code $add} value and the number of {@code $append}s. */
  static Map<String, long[]> profileEffects(MockMixpanel mock) {
    Map<String, long[]> out = new TreeMap<>();
    for (MixpanelRecord r : mock.engageOps()) {
      JsonNode body = r.body();
      long[] e = out.computeIfAbsent(body.path("$distinct_id").asText(), k -> new long[2]);
      body.path("$add").fields().forEachRemaining(f -> e[0] += f.getValue().asLong());
      if (body.has("$append")) {
        e[1] += body.path("$append").size();
      }
    }
    return out;
  }

  static String metrics(RelayFixture fx) {
    return fx.get("/metrics").bodyAsString();
  }

  static double duplicates(RelayFixture fx, String type) {
    for (String line : metrics(fx).split("\n")) {
      if (line.startsWith("mixrelay_messages_received_total{") && line.contains("outcome=\"duplicate\"")
          && line.contains("type=\"" + type + "\"")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    System.out.println("no duplicate counter of " + type + " in:\n" + metrics(fx).lines()
        .filter(l -> l.contains("received")).collect(java.util.stream.Collectors.joining("\n")));
    return 0;
  }

  @Test
  void aBatchSentTwiceChangesProfilesOnce() throws Exception {
    try (MockMixpanel mock = MockMixpanel.builder().build().start();
        RelayFixture fx = new RelayFixture(dir, config(dir, mock.baseUrl(), ""))) {
      fx.relay = RelayFixture.await(Relay.start(fx.vertx, fx.config, Clock.systemUTC()));
      String batch = profileBatch("");
      HttpResponse<Buffer> first = fx.post("/v1/batch", batch, AUTH);
      HttpResponse<Buffer> again = fx.post("/v1/batch", batch, AUTH);

      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(again.statusCode()).isEqualTo(200); // the client stops retrying
      assertThat(again.bodyAsJsonObject().getBoolean("success")).isTrue();
      assertThat(fx.logged()).hasSize(USERS * 5);
      eventually(fx, Duration.ofSeconds(60), () -> fx.relay.log().stats().acknowledgedOffset()
          == fx.relay.log().stats().lastOffset() && profileEffects(mock).size() == USERS);

      Map<String, long[]> effects = profileEffects(mock);
      for (int u = 0; u < USERS; u++) {
        long[] e = effects.get("user-" + u);
        assertThat(e).as("user-" + u).isNotNull();
        assertThat(e[0]).as("$add sum of user-" + u).isEqualTo(3);
        assertThat(e[1]).as("$append count of user-" + u).isEqualTo(1);
      }
      assertThat(duplicates(fx, "track")).isEqualTo(USERS * 4);
      assertThat(duplicates(fx, "identify")).isEqualTo(USERS);
    }
  }

  @Test
  void twoConcurrentRequestsWithOneMessageIdAppendItOnce() throws Exception {
    try (RelayFixture fx = new RelayFixture(dir, config(dir, "http://127.0.0.1:1", ""))) {
      fx.startIntakeOnly();
      var client = fx.client;
      for (int round = 0; round < 20; round++) {
        String body = "{\"userId\":\"u\",\"event\":\"Clicked\",\"messageId\":\"same-" + round + "\"}";
        List<io.vertx.core.Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          var req = client.post(fx.relay.port(), "127.0.0.1", "/v1/track");
          req.headers().set("Content-Type", "application/json").addAll(AUTH);
          sent.add(req.sendBuffer(Buffer.buffer(body)));
        }
        for (var f : sent) {
          assertThat(RelayFixture.await(f).statusCode()).isEqualTo(200);
        }
      }
      assertThat(fx.logged()).hasSize(20);
      assertThat(duplicates(fx, "track")).isEqualTo(60);
    }
  }

  @Test
  void theWindowSurvivesARestartAndARestartPastItsBoundStillAcceptsEveryNewMessage() {
    RelayConfig bounded = config(dir, "http://127.0.0.1:1", "dedup: { window: 24h, maxIds: 150 }\n");
    try (RelayFixture fx = new RelayFixture(dir, bounded)) {
      fx.startIntakeOnly();
      for (int b = 0; b < 3; b++) {
        assertThat(fx.post("/v1/batch", batch("old-" + b + "-", 100), AUTH).statusCode()).isEqualTo(200);
      }
      assertThat(fx.logged()).hasSize(300);
      assertThat(fx.relay.log().dedupForgotten()).isPositive();
      assertThat(fx.relay.log().dedupIds()).isLessThanOrEqualTo(150);
      RelayFixture.await(fx.relay.stop(Duration.ofSeconds(5)));

      fx.startIntakeOnly();
      // every new message is accepted after the restart, though the window is past its bound
      assertThat(fx.post("/v1/batch", batch("new-", 100), AUTH).statusCode()).isEqualTo(200);
      assertThat(fx.logged()).hasSize(400);
      // the newest ids are still remembered across the restart
      assertThat(fx.post("/v1/batch", batch("new-", 50), AUTH).statusCode()).isEqualTo(200);
      assertThat(fx.logged()).hasSize(400);
      assertThat(duplicates(fx, "track")).isEqualTo(50);
      System.out.printf("dedup bound: maxIds 150, %d ids held, %d forgotten early%n",
          fx.relay.log().dedupIds(), fx.relay.log().dedupForgotten());
    }
  }

  @Test
  void anIdOutsideTheWindowIsAcceptedAgain() throws Exception {
    RelayConfig shortWindow = config(dir, "http://127.0.0.1:1", "dedup: { window: 1s }\n");
    try (RelayFixture fx = new RelayFixture(dir, shortWindow)) {
      fx.startIntakeOnly();
      String one = "{\"userId\":\"u\",\"event\":\"Clicked\",\"messageId\":\"m-1\"}";
      fx.post("/v1/track", one, AUTH);
      fx.post("/v1/track", one, AUTH);
      assertThat(fx.logged()).hasSize(1);
      Thread.sleep(1100);
      fx.post("/v1/track", one, AUTH);
      assertThat(fx.logged()).hasSize(2);
    }
  }

  static String batch(String prefix, int n) {
    StringBuilder b = new StringBuilder("{\"batch\":[");
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u")
          .append(i % 7).append("\",\"messageId\":\"").append(prefix).append(i).append("\"}");
    }
    return b.append("]}").toString();
  }

  static void eventually(RelayFixture fx, Duration timeout, BooleanSupplier ok) {
    long end = System.nanoTime() + timeout.toNanos();
    while (!ok.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within " + timeout).isLessThan(end);
      Promise<Void> tick = Promise.promise();
      fx.vertx.setTimer(50, id -> tick.complete());
      RelayFixture.await(tick.future());
    }
  }
}

package dev.mixrelay.app;

import dev.mixrelay.demo.ManualClock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.config.ConfigLoader;
import dev.mixrelay.mock.MockMixpanel;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records Mixpanel refuses land in dead letters with its reason; the admin API lists them and,
 * once the cause is fixed, replays them into Mixpanel. The admin API wants the admin token.
 */
class AdminDeadLettersTest {
  private static final String ADMIN = "admin-token-123";

  @TempDir
  Path dir;

  @Test
  void rejectedRecordsAreListedAndReplayedThroughTheAdminApi() {
    Instant now = Instant.now();
    // the mock's clock runs two days behind: to it, events from the last minute are two days in
    // the future, which strict /import refuses record by record (the relay itself sees them as fine)
    ManualClock mockClock = new ManualClock(now.minus(Duration.ofDays(2)));
    try (MockMixpanel mock = MockMixpanel.builder().port(0).clock(mockClock).build().start()) {
      var config = ConfigLoader.parse("""
          server: { host: 127.0.0.1, port: 0 }
          storage: { dir: "%s" }
          sources: [ { writeKey: k, destination: main } ]
          destinations:
            main: { token: t, apiSecret: s, apiHost: "%s", delivery: { linger: 20ms } }
          admin: { token: %s }
          """.formatted(dir.toString().replace("\\", "/"), mock.baseUrl(), ADMIN), Map.of(), "t");
      try (RelayFixture fx = new RelayFixture(dir, config)) {
        fx.relay = RelayFixture.await(Relay.start(fx.vertx, config, Clock.systemUTC()));
        StringBuilder batch = new StringBuilder("{\"batch\":[");
        for (int i = 0; i < 10; i++) {
          Instant ts = i % 4 == 1 ? now.minusSeconds(60) : now.minus(Duration.ofDays(3));
          batch.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E" + i
              + "\",\"timestamp\":\"" + ts + "\"}");
        }
        assertThat(fx.post("/v1/batch", batch.append("]}").toString(),
            Map.of("Authorization", RelayFixture.basic("k"))).statusCode()).isEqualTo(200);
        fx.waitUntil(() -> fx.relay.log().stats().unackedMessages() == 0, () -> "" + fx.relay.log().stats());
        assertThat(nonSession(mock)).hasSize(7);

        assertThat(get(fx, "/admin/dead-letters", null).statusCode()).isEqualTo(401);
        JsonObject listed = get(fx, "/admin/dead-letters?destination=main", ADMIN).bodyAsJsonObject();
        JsonArray letters = listed.getJsonArray("deadLetters");
        assertThat(letters).hasSize(3);
        assertThat(letters.getJsonObject(0).getString("endpoint")).isEqualTo("/import");
        assertThat(letters.getJsonObject(0).getString("reason")).isNotBlank();

        mockClock.advance(Duration.ofDays(3));
        HttpResponse<Buffer> replay = RelayFixture.await(fx.client.post(fx.relay.port(), "127.0.0.1",
            "/admin/dead-letters/replay").putHeader("Authorization", "Bearer " + ADMIN)
            .sendJsonObject(new JsonObject().put("destination", "main")));
        assertThat(replay.statusCode()).as(replay.bodyAsString()).isEqualTo(200);
        assertThat(replay.bodyAsJsonObject().getInteger("replayed")).isEqualTo(3);
        assertThat(nonSession(mock)).hasSize(10);
        assertThat(get(fx, "/admin/dead-letters", ADMIN).bodyAsJsonObject().getJsonArray("deadLetters")).isEmpty();
        JsonObject status = get(fx, "/admin/status", ADMIN).bodyAsJsonObject();
        assertThat(status.getJsonObject("destinations").getJsonObject("main").getBoolean("ready")).isTrue();
        assertThat(status.encode()).doesNotContain(ADMIN).doesNotContain("\"s\"");

        // a message the relay could not translate is not replayable: the answer says why
        RelayFixture.await(fx.relay.log().addDeadLetters(java.util.List.of(
            new dev.mixrelay.log.DeadLetterRow(0, "main", "segment", "{\"type\":\"track\"}",
                "event: is required", now.toEpochMilli()))));
        JsonObject skipped = RelayFixture.await(fx.client.post(fx.relay.port(), "127.0.0.1",
            "/admin/dead-letters/replay").putHeader("Authorization", "Bearer " + ADMIN)
            .sendJsonObject(new JsonObject())).bodyAsJsonObject();
        assertThat(skipped.getInteger("replayed")).isZero();
        assertThat(skipped.getInteger("skipped")).isEqualTo(1);
        assertThat(skipped.getJsonObject("skippedBecause").fieldNames()).singleElement()
            .asString().startsWith("a Segment message the relay could not translate");
      }
    }
  }

  private static java.util.List<String> nonSession(MockMixpanel mock) {
    return mock.events().stream().map(dev.mixrelay.mixpanel.MixpanelRecord::eventName)
        .filter(n -> !n.startsWith("Session ")).toList();
  }

  private static HttpResponse<Buffer> get(RelayFixture fx, String path, String token) {
    var req = fx.client.get(fx.relay.port(), "127.0.0.1", path);
    if (token != null) {
      req.putHeader("Authorization", "Bearer " + token);
    }
    return RelayFixture.await(req.send());
  }
}

package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.config.RelayConfig;
import dev.mixrelay.log.Checkpoint;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Super properties registered before the relay dies (no graceful stop) are still added to the
 * user's events after it starts again on the same storage.dir.
 */
class SuperPropertiesRestartTest {
  @TempDir
  Path dir;

  @Test
  void superPropertiesOutliveAKilledRelay() throws Exception {
    RelayConfig config = RelayFixture.baseYaml(dir, "", "http://127.0.0.1:1");
    var auth = Map.of("Authorization", RelayFixture.basic(RelayFixture.WRITE_KEY));

    Vertx vertx1 = Vertx.vertx();
    Relay relay1 = RelayFixture.await(Relay.start(vertx1, config, Clock.systemUTC(),
        r -> new RelayFixture.RecordingDelivery(), true));
    try (RelayFixture poster = new RelayFixture(dir, config)) {
      poster.relay = relay1;
      assertThat(poster.post("/v1/identify", "{\"userId\":\"user-9\",\"traits\":{\"plan\":\"pro\"}}",
          auth).statusCode()).isEqualTo(200);
      poster.waitUntil(() -> {
        Checkpoint cp = RelayFixture.await(relay1.log().loadCheckpoint("profiles:main"));
        return cp != null && new String(cp.state(), StandardCharsets.UTF_8).contains("\"pro\"");
      }, () -> "no super-property checkpoint yet");
      poster.relay = null;
    }
    RelayFixture.await(vertx1.close()); // killed: nothing stopped gracefully

    Vertx vertx2 = Vertx.vertx();
    RelayFixture.RecordingDelivery second = new RelayFixture.RecordingDelivery();
    Relay relay2 = RelayFixture.await(Relay.start(vertx2, config, Clock.systemUTC(), r -> second, true));
    try (RelayFixture poster = new RelayFixture(dir, config)) {
      poster.relay = relay2;
      assertThat(poster.post("/v1/track", "{\"userId\":\"user-9\",\"event\":\"Paid\"}", auth)
          .statusCode()).isEqualTo(200);
      poster.waitUntil(() -> second.snapshot().stream().anyMatch(SuperPropertiesRestartTest::paid),
          () -> "records: " + second.snapshot());
      MixpanelRecord paid = second.snapshot().stream().filter(SuperPropertiesRestartTest::paid)
          .findFirst().orElseThrow();
      assertThat(paid.properties().path("plan").asText()).isEqualTo("pro");
      poster.relay = null;
    }
    RelayFixture.await(relay2.stop(Duration.ofSeconds(5)));
    RelayFixture.await(vertx2.close());
  }

  private static boolean paid(MixpanelRecord r) {
    return r.endpoint() == Endpoint.IMPORT && "Paid".equals(r.body().path("event").asText());
  }
}

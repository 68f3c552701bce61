package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.mock.MockMixpanel;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Messages posted to /v1/* come out at the mock Mixpanel as the translated records. */
class EndToEndTranslationTest {
  @TempDir
  Path dir;

  @Test
  void eachCallTypeArrivesAtTheMockAsMixpanelRecords() {
    try (MockMixpanel mock = MockMixpanel.builder().port(0).build().start()) {
      var config = RelayFixture.baseYaml(dir, "", mock.baseUrl());
      try (RelayFixture fx = new RelayFixture(dir, config)) {
        fx.relay = RelayFixture.await(Relay.start(fx.vertx, fx.config, Clock.systemUTC()));
        Map<String, String> auth = Map.of("Authorization", RelayFixture.basic(RelayFixture.WRITE_KEY));
        assertThat(fx.post("/v1/batch", """
            {"batch":[
              {"type":"identify","userId":"e2e-user","anonymousId":"e2e-anon","messageId":"m1",
               "traits":{"email":"e2e@example.com","plan":"pro"}},
              {"type":"track","userId":"e2e-user","event":"Order Completed","messageId":"m2",
               "properties":{"revenue":"42.5"}},
              {"type":"page","userId":"e2e-user","name":"Pricing","messageId":"m3"},
              {"type":"screen","anonymousId":"e2e-anon","name":"Home","messageId":"m4"},
              {"type":"alias","userId":"e2e-user","previousId":"e2e-anon","messageId":"m5"}
            ]}""", auth).statusCode()).isEqualTo(200);
        fx.waitUntil(() -> mock.events().size() >= 5 && mock.engageOps().size() >= 2,
            () -> "events " + mock.events() + " engage " + mock.engageOps());
        assertThat(mock.events()).extracting(MixpanelRecord::eventName)
            .contains("Order Completed", "Loaded a Page", "Loaded a Screen", "$identify");
        MixpanelRecord order = mock.events("e2e-user", "Order Completed").get(0);
        assertThat(order.properties().get("$user_id").asText()).isEqualTo("e2e-user");
        assertThat(order.insertId()).hasSize(36);
        MixpanelRecord screen = mock.eventsNamed("Loaded a Screen").get(0);
        assertThat(screen.properties().get("distinct_id").asText()).isEqualTo("$device:e2e-anon");
        assertThat(mock.engageOps("e2e-user").toString()).contains("$email").contains("e2e@example.com")
            .contains("$transactions");
        fx.waitUntil(() -> fx.relay.log().stats().acknowledgedOffset() == 5,
            () -> "acknowledged " + fx.relay.log().stats());
      }
    }
  }
}

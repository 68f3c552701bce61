package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.mock.MockMixpanel;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /metrics in Prometheus format; the counters reconcile with what the mock received. */
class MetricsTest {
  @TempDir
  Path dir;

  @Test
  void countersReconcileWithTheMockAndCarryNoSecrets() {
    try (MockMixpanel mock = MockMixpanel.builder().port(0).build().start()) {
      var config = RelayFixture.baseYaml(dir, "", mock.baseUrl());
      try (RelayFixture fx = new RelayFixture(dir, config)) {
        fx.relay = RelayFixture.await(Relay.start(fx.vertx, config, Clock.systemUTC()));
        StringBuilder batch = new StringBuilder("{\"batch\":[");
        for (int i = 0; i < 50; i++) {
          batch.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"userId\":\"u" + i % 5
              + "\",\"event\":\"E\"}");
        }
        batch.append(",{\"type\":\"track\",\"userId\":\"u\"}]}");
        fx.post("/v1/batch", batch.toString(), Map.of("Authorization", RelayFixture.basic(RelayFixture.WRITE_KEY)));
        fx.post("/v1/track", "{}", Map.of("Authorization", RelayFixture.basic("wrong-key-9")));
        fx.waitUntil(() -> fx.relay.log().stats().unackedMessages() == 0 && mock.events().size() >= 50,
            () -> "" + mock.counts());
        String text = fx.get("/metrics").bodyAsString();
        assertThat(value(text, "mixrelay_messages_received_total\\{outcome=\"accepted\",reason=\"none\",source=\"source-0\",type=\"track\"\\}"))
            .isEqualTo(50);
        assertThat(value(text, "mixrelay_messages_received_total\\{outcome=\"rejected\",reason=\"invalid_event\",source=\"source-0\",type=\"-\"\\}"))
            .isEqualTo(1);
        assertThat(value(text, "mixrelay_messages_received_total\\{outcome=\"rejected\",reason=\"unknown_write_key\",source=\"-\",type=\"-\"\\}"))
            .isEqualTo(1);
        double requests200 = value(text,
            "mixrelay_mixpanel_requests_total\\{destination=\"main\",endpoint=\"/import\",status=\"200\"\\}");
        assertThat((long) requests200).isEqualTo(mock.counts().requestsWithStatus("200"));
        assertThat(value(text, "mixrelay_records_made_total\\{destination=\"main\"\\}")).isEqualTo(50);
        assertThat(value(text, "mixrelay_intake_log_messages")).isZero();
        assertThat(text).contains("mixrelay_delivery_latency_seconds_count")
            .contains("mixrelay_translation_seconds_count")
            .doesNotContain(RelayFixture.WRITE_KEY).doesNotContain("test-api-secret")
            .doesNotContain("wrong-key-9");
      }
    }
  }

  private static double value(String text, String seriesRegex) {
    Matcher m = Pattern.compile("(?m)^" + seriesRegex + " ([0-9.eE+-]+)$").matcher(text);
    assertThat(m.find()).as("series " + seriesRegex + " in\n" + text).isTrue();
    return Double.parseDouble(m.group(1));
  }
}

package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.config.ConfigLoader;
import dev.mixrelay.config.RelayConfig;
import dev.mixrelay.mock.Faults;
import dev.mixrelay.mock.MockMixpanel;
import io.vertx.core.Promise;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A source that feeds two destinations delivers every message to both, each on its own. */
class FanOutEndToEndTest {
  private static final String KEY = "fan-out-key";
  private static final Map<String, String> AUTH = Map.of("Authorization", RelayFixture.basic(KEY));

  @TempDir
  Path dir;

  private RelayConfig config(String hostA, String hostB) {
    String fast = "{ linger: 20ms, initialBackoff: 50ms, maxBackoff: 200ms, requestTimeout: 2s }";
    return ConfigLoader.parse("""
        server: { host: 127.0.0.1, port: 0 }
        storage: { dir: "%s", fsync: batch }
        sources:
          - { writeKey: %s, destinations: [a, b] }
        destinations:
          a: { token: token-a, apiSecret: secret-a, apiHost: "%s", delivery: %s }
          b: { token: token-b, apiSecret: secret-b, apiHost: "%s", delivery: %s }
        """.formatted(dir.toString().replace("\\", "/"), KEY, hostA, fast, hostB, fast),
        Map.of(), "test");
  }

  private static void send(RelayFixture fx, int from, int count) {
    StringBuilder batch = new StringBuilder("{\"batch\":[");
    for (int i = from; i < from + count; i++) {
      batch.append(i == from ? "" : ",").append("{\"type\":\"track\",\"userId\":\"u")
          .append(i % 7).append("\",\"event\":\"Played\",\"messageId\":\"m-").append(i)
          .append("\"}");
    }
    assertThat(fx.post("/v1/batch", batch.append("]}").toString(), AUTH).statusCode())
        .isEqualTo(200);
  }

  private static boolean acknowledged(RelayFixture fx) {
    return fx.relay.log().stats().acknowledgedOffset() == fx.relay.log().stats().lastOffset();
  }

  @Test
  void everyMessageReachesBothDestinationsAndIsAcknowledgedOnceBothHaveIt() throws Exception {
    try (MockMixpanel a = MockMixpanel.builder().build().start();
        MockMixpanel b = MockMixpanel.builder().build().start();
        RelayFixture fx = new RelayFixture(dir, config(a.baseUrl(), b.baseUrl()))) {
      fx.relay = RelayFixture.await(Relay.start(fx.vertx, fx.config, Clock.systemUTC()));
      send(fx, 0, 50);

      eventually(fx, Duration.ofSeconds(30), () -> a.eventsNamed("Played").size() == 50
          && b.eventsNamed("Played").size() == 50 && acknowledged(fx));

      assertThat(a.eventsNamed("Played")).hasSize(50);
      assertThat(b.eventsNamed("Played")).hasSize(50);
    }
  }

  @Test
  void aFailingDestinationDoesNotHoldTheOtherBackAndTheMessageWaitsForBoth() throws Exception {
    try (MockMixpanel a = MockMixpanel.builder().build().start();
        MockMixpanel b = MockMixpanel.builder()
            .faults(Faults.NONE.withErrorRate(1.0, 500)).build().start();
        RelayFixture fx = new RelayFixture(dir, config(a.baseUrl(), b.baseUrl()))) {
      fx.relay = RelayFixture.await(Relay.start(fx.vertx, fx.config, Clock.systemUTC()));
      send(fx, 0, 30);

      eventually(fx, Duration.ofSeconds(30), () -> a.eventsNamed("Played").size() == 30);
      assertThat(b.eventsNamed("Played")).isEmpty();
      assertThat(fx.relay.log().stats().unackedMessages()).as("b is not done with them")
          .isEqualTo(30);

      b.clearFaults();
      eventually(fx, Duration.ofSeconds(30), () -> b.eventsNamed("Played").size() == 30
          && acknowledged(fx));
      assertThat(a.eventsNamed("Played")).hasSize(30);
    }
  }

  private static void eventually(RelayFixture fx, Duration timeout, BooleanSupplier ok) {
    long end = System.nanoTime() + timeout.toNanos();
    while (!ok.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within " + timeout).isLessThan(end);
      Promise<Void> tick = Promise.promise();
      fx.vertx.setTimer(50, id -> tick.complete());
      RelayFixture.await(tick.future());
    }
  }
}

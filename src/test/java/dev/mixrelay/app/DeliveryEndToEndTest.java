package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.mock.Faults;
import dev.mixrelay.mock.MockMixpanel;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Segment calls into a running relay, through the real delivery, into the mock Mixpanel. */
class DeliveryEndToEndTest {
  private static final Map<String, String> AUTH =
      Map.of("Authorization", RelayFixture.basic(RelayFixture.WRITE_KEY));
  private static final String FAST_DELIVERY =
      "    delivery: { linger: 20ms, initialBackoff: 50ms, maxBackoff: 500ms,"
      + " requestTimeout: 2s }\n";

  @TempDir
  Path dir;

  /** Starts the relay as {@code run} does: real delivery, dead letters into the intake log. */
  static void startReal(RelayFixture fx) {
    fx.relay = RelayFixture.await(Relay.start(fx.vertx, fx.config, Clock.systemUTC()));
  }

  @Test
  void everyAcceptedTrackCallArrivesOnceDeduplicatedThroughFaultsAndIsAcknowledged()
      throws Exception {
    try (MockMixpanel mock = MockMixpanel.builder().faults(Faults.NONE
            .withErrorRate(0.3, 500).withRateLimitRate(0.1, null).withResetRate(0.05)
            .withResetAfterAcceptRate(0.05).withSeed(7)).build().start();
        RelayFixture fx = new RelayFixture(dir,
            RelayFixture.baseYaml(dir, FAST_DELIVERY, mock.baseUrl()))) {
      startReal(fx);
      int messages = 0;
      for (int b = 0; b < 20; b++) {
        StringBuilder batch = new StringBuilder("{\"batch\":[");
        for (int i = 0; i < 100; i++, messages++) {
          batch.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"userId\":\"u")
              .append(messages % 37).append("\",\"event\":\"Played\",\"messageId\":\"m-")
              .append(messages).append("\",\"properties\":{\"n\":").append(messages).append("}}");
        }
        HttpResponse<Buffer> r = fx.post("/v1/batch", batch.append("]}").toString(), AUTH);
        assertThat(r.statusCode()).isEqualTo(200);
      }
      int expected = messages;

      eventually(fx, Duration.ofSeconds(60), () -> mock.distinctInsertIds() == expected
          && fx.relay.log().stats().acknowledgedOffset() == fx.relay.log().stats().lastOffset());

      assertThat(mock.distinctInsertIds()).isEqualTo(expected);
      assertThat(fx.get("/ready").statusCode()).isEqualTo(200);
      assertThat(RelayFixture.await(fx.relay.log().listDeadLetters(null, 0, 10))).isEmpty();
      System.out.printf("end-to-end: %d messages, %d duplicates reached the mock, requests %s%n",
          expected, mock.counts().duplicates(), mock.counts().requestsByStatus());
    }
  }

  @Test
  void refusedCredentialsMakeTheRelayNotReadyButKeepIntakeUp() throws Exception {
    try (MockMixpanel mock = MockMixpanel.builder().credential("someone-else", "").build().start();
        RelayFixture fx = new RelayFixture(dir,
            RelayFixture.baseYaml(dir, FAST_DELIVERY, mock.baseUrl()))) {
      startReal(fx);
      HttpResponse<Buffer> r = fx.post("/v1/track",
          "{\"userId\":\"u1\",\"event\":\"Signed Up\",\"messageId\":\"m-1\"}", AUTH);
      assertThat(r.statusCode()).isEqualTo(200);

      eventually(fx, Duration.ofSeconds(20), () -> fx.get("/ready").statusCode() != 200);

      assertThat(fx.get("/health").statusCode()).isEqualTo(200);
      assertThat(fx.relay.log().stats().unackedMessages()).isEqualTo(1);
      assertThat(mock.distinctInsertIds()).isZero();
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

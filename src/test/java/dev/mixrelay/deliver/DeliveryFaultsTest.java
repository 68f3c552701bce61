package dev.mixrelay.deliver;

import static dev.mixrelay.deliver.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.config.DeliveryConfig;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.deliver.FakeMixpanel.Reply;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeliveryFaultsTest extends DeliveryTestBase {

  @Test
  void everyEventArrivesAtLeastOnceThrough500s429sTimeoutsAndResets() throws Exception {
    Random random = new Random(42);
    mock.behave((ep, records, n) -> {
      double r;
      synchronized (random) {
        r = random.nextDouble();
      }
      if (r < 0.30) {
        return Reply.status(500, "{\"error\":\"internal\"}");
      } else if (r < 0.35) {
        return Reply.status(429, "{\"error\":\"rate\"}").withHeader("Retry-After", "1");
      } else if (r < 0.40) {
        return Reply.status(429, "{\"error\":\"Project exceeded rate limits\"}");
      } else if (r < 0.45) {
        return Reply.ok().delayed(800);
      } else if (r < 0.50) {
        return Reply.connectionReset();
      }
      return Reply.ok();
    });
    DestinationConfig dest = Fixtures.destination(mock.baseUrl(),
        Fixtures.fast(200, Duration.ofMillis(20)));
    List<Future<Void>> sends = new ArrayList<>();
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < 10_000; i += 10) {
      List<MixpanelRecord> message = Fixtures.events(i, i + 10);
      message.forEach(m -> expected.add(m.insertId()));
      sends.add(delivery.send(dest, message));
    }
    await(Future.all(sends), Duration.ofSeconds(60));

    List<String> arrived = Fixtures.insertIds(mock.accepted(Endpoint.IMPORT));
    assertThat(new HashSet<>(arrived)).isEqualTo(expected);
    assertThat(sink.letters).isEmpty();
    assertThat(listener.count("retry.5xx")).isPositive();
    assertThat(listener.count("retry.timeout")).isPositive();
    assertThat(listener.count("retry.connection")).isPositive();
    assertThat(listener.retryAfter429).contains(Duration.ofSeconds(1));
    assertThat(listener.retryAfter429).anyMatch(d -> !d.equals(Duration.ofSeconds(1)));
    System.out.printf("faults: %d requests, %d records arrived for 10000 (%d duplicates)%n",
        mock.requestCount(), arrived.size(), arrived.size() - expected.size());
  }

  @Test
  void anOutageIsDrainedAfterRecoveryWithoutAStormOfRequests() throws Exception {
    mock.behave((ep, records, n) -> Reply.status(503, "{\"error\":\"down\"}"));
    DestinationConfig dest = Fixtures.destination(mock.baseUrl(), new DeliveryConfig(500, null,
        Duration.ofMillis(20), 16, Duration.ofSeconds(2), Duration.ofMillis(50),
        Duration.ofMillis(500)));
    List<Future<Void>> sends = new ArrayList<>();
    for (int i = 0; i < 3000; i += 10) {
      sends.add(delivery.send(dest, Fixtures.events(i, i + 10)));
      if (i % 300 == 0) {
        Fixtures.pause(vertx, Duration.ofMillis(300));
      }
    }
    Fixtures.pause(vertx, Duration.ofSeconds(1));
    int duringOutage = mock.requestCount();
    assertThat(listener.breakerStates).contains("OPEN");
    assertThat(Future.all(sends).isComplete()).isFalse();

    mock.behave((ep, records, n) -> Reply.ok());
    await(Future.all(sends), Duration.ofSeconds(30));

    assertThat(new HashSet<>(Fixtures.insertIds(mock.accepted(Endpoint.IMPORT)))).hasSize(3000);
    assertThat(listener.breakerStates).endsWith("CLOSED");
    // 6 batches failing for about 4 s with 50..500 ms backoffs would be ~60 requests without a
    // breaker; with it, about 10 to open it plus one probe per open interval
    System.out.printf("outage: %d requests during a 4 s outage%n", duringOutage);
    assertThat(duringOutage).isLessThan(40);
  }
}

package dev.mixrelay.deliver;

import static dev.mixrelay.deliver.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.config.DeliveryConfig;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.deliver.FakeMixpanel.Reply;
import dev.mixrelay.mixpanel.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A 2-minute Mixpanel outage with the default backoffs (2 s doubling to 60 s) while records keep
 * coming, then recovery: the backlog drains and the outage cost few requests. Run:
 * {@code mvn -o test -Dtest=DeliveryOutageSoakTest -Dsurefire.excludedGroups=none}.
 */
@Tag("soak")
class DeliveryOutageSoakTest {

  @Test
  void aTwoMinuteOutageIsDrainedAfterRecovery() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (FakeMixpanel mock = new FakeMixpanel()) {
      Fixtures.Counting listener = new Fixtures.Counting();
      Delivery delivery = Delivery.create(vertx, new Fixtures.MemorySink(), listener,
          Clock.systemUTC());
      mock.behave((ep, records, n) -> Reply.status(503, "{\"error\":\"down\"}"));
      DestinationConfig dest = Fixtures.destination(mock.baseUrl(), DeliveryConfig.defaults());
      List<Future<Void>> sends = new ArrayList<>();
      long outageEnd = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      int next = 0;
      while (System.nanoTime() < outageEnd) {
        for (int i = 0; i < 500; i += 10, next += 10) {
          sends.add(delivery.send(dest, Fixtures.events(next, next + 10)));
        }
        Fixtures.pause(vertx, Duration.ofSeconds(1));
      }
      int duringOutage = mock.requestCount();
      mock.behave((ep, records, n) -> Reply.ok());
      long t0 = System.nanoTime();
      await(Future.all(sends), Duration.ofMinutes(3));

      System.out.printf("soak outage: %d records, %d requests during 2 min, drained %.1f s after"
          + " recovery%n", next, duringOutage, (System.nanoTime() - t0) / 1e9);
      assertThat(new HashSet<>(Fixtures.insertIds(mock.accepted(Endpoint.IMPORT)))).hasSize(next);
      assertThat(listener.breakerStates).contains("OPEN").endsWith("CLOSED");
      assertThat(duringOutage).isLessThan(200);
      await(delivery.close(Duration.ofSeconds(5)), Duration.ofSeconds(10));
    } finally {
      await(vertx.close(), Duration.ofSeconds(10));
    }
  }
}

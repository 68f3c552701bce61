package dev.mixrelay.deliver;

import static dev.mixrelay.deliver.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.config.DeliveryConfig;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.mixpanel.MixpanelRecord;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Records per second through {@link Delivery} into WireMock answering 200 over loopback, and the
 * mean records per {@code /import} request. Run: {@code mvn -o -Pbench test -Dtest=DeliveryBenchTest}.
 */
@Tag("bench")
class DeliveryBenchTest {
  private static final int RECORDS = Integer.getInteger("bench.records", 400_000);
  private static final int WINDOW = 40_000;

  @Test
  void recordsPerSecondIntoAMockMixpanel() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (FakeMixpanel mock = new FakeMixpanel(false)) {
      Fixtures.Counting listener = new Fixtures.Counting();
      Delivery delivery = Delivery.create(vertx, letters -> Future.succeededFuture(), listener,
          Clock.systemUTC());
      DestinationConfig dest = Fixtures.destination(mock.baseUrl(), DeliveryConfig.defaults());
      List<List<MixpanelRecord>> messages = new ArrayList<>();
      for (int i = 0; i < RECORDS; i += 10) {
        messages.add(Fixtures.events(i, i + 10));
      }
      warmUp(delivery, dest);
      int requestsBefore = mock.requestCount();
      int recordsBefore = listener.count("recordsSent.IMPORT");

      long t0 = System.nanoTime();
      ArrayDeque<Future<Void>> window = new ArrayDeque<>();
      for (List<MixpanelRecord> message : messages) {
        window.addLast(delivery.send(dest, message));
        if (window.size() * 10 >= WINDOW) {
          await(window.pollFirst(), Duration.ofSeconds(60));
        }
      }
      await(Future.all(new ArrayList<>(window)), Duration.ofSeconds(120));
      double seconds = (System.nanoTime() - t0) / 1e9;

      int requests = mock.requestCount() - requestsBefore;
      int sent = listener.count("recordsSent.IMPORT") - recordsBefore;
      System.out.printf("bench: %d records in %.2f s = %.0f records/s; %d /import requests,"
          + " mean %.1f records per request%n", RECORDS, seconds, RECORDS / seconds, requests,
          sent / (double) requests);
      assertThat(sent).isGreaterThanOrEqualTo(RECORDS);
      await(delivery.close(Duration.ofSeconds(5)), Duration.ofSeconds(10));
    } finally {
      await(vertx.close(), Duration.ofSeconds(10));
    }
  }

  private static void warmUp(Delivery delivery, DestinationConfig dest) throws Exception {
    List<Future<Void>> sends = new ArrayList<>();
    for (int i = 0; i < 40_000; i += 10) {
      sends.add(delivery.send(dest, Fixtures.events(i, i + 10)));
    }
    await(Future.all(sends), Duration.ofSeconds(60));
  }
}

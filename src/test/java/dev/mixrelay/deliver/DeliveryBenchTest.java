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
      long handOver = 0;
      for (List<MixpanelRecord> message : messages) {
        long s0 = System.nanoTime();
        window.addLast(delivery.send(dest, message));
        handOver += System.nanoTime() - s0;
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
      System.out.printf("bench: send() calls (serialising on the caller) took %.2f s in all;"
          + " CPU seconds by thread group %s%n", handOver / 1e9, cpuByThreadGroup());
      assertThat(sent).isGreaterThanOrEqualTo(RECORDS);
      await(delivery.close(Duration.ofSeconds(5)), Duration.ofSeconds(10));
    } finally {
      await(vertx.close(), Duration.ofSeconds(10));
    }
  }

  /** CPU time of live threads, grouped by name without digits (event loops, workers, Jetty). */
  private static java.util.Map<String, String> cpuByThreadGroup() {
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    java.util.Map<String, Long> nanos = new java.util.TreeMap<>();
    for (java.lang.management.ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (t != null) {
        long cpu = mx.getThreadCpuTime(t.getThreadId());
        nanos.merge(t.getThreadName().replaceAll("[0-9]+", "#"), Math.max(0, cpu), Long::sum);
      }
    }
    java.util.Map<String, String> out = new java.util.TreeMap<>();
    nanos.forEach((k, v) -> {
      if (v > 200_000_000L) {
        out.put(k, String.format("%.1f", v / 1e9));
      }
    });
    return out;
  }

  private static void warmUp(Delivery delivery, DestinationConfig dest) throws Exception {
    List<Future<Void>> sends = new ArrayList<>();
    for (int i = 0; i < 40_000; i += 10) {
      sends.add(delivery.send(dest, Fixtures.events(i, i + 10)));
    }
    await(Future.all(sends), Duration.ofSeconds(60));
  }
}

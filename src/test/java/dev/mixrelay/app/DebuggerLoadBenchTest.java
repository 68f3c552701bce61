package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.mock.MockMixpanel;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The debugger under load: events posted as fast as the relay takes them while {@code viewers}
 * debugger streams are open; prints events/s end to end and the rows each stream received per
 * second (sampled to at most 50). Run: {@code mvn -o -Pbench test -Dtest=DebuggerLoadBenchTest
 * -Dbench.viewers=1} (0 for the baseline without a viewer).
 */
@Tag("bench")
class DebuggerLoadBenchTest {
  private static final String ADMIN = "bench-admin";
  private static final int MESSAGES = Integer.getInteger("bench.messages", 100_000);
  private static final int VIEWERS = Integer.getInteger("bench.viewers", 1);
  private static final int PER_REQUEST = 100;
  private static final int CONCURRENT_POSTS = 32;

  @TempDir
  Path dir;

  @Test
  void eventsPerSecondWithDebuggerViewersConnected() throws Exception {
    try (MockMixpanel mock = MockMixpanel.builder().retainBytes(0).build().start();
        RelayFixture fx = new RelayFixture(dir,
            RelayFixture.baseYaml(dir, "admin: { token: " + ADMIN + " }", mock.baseUrl()))) {
      DeliveryEndToEndTest.startReal(fx);
      HttpClient http = fx.vertx.createHttpClient();
      AtomicLong rows = new AtomicLong();
      Map<Long, AtomicLong> rowsPerSecond = new ConcurrentHashMap<>();
      for (int v = 0; v < VIEWERS; v++) {
        RelayFixture.await(http.request(new RequestOptions().setMethod(HttpMethod.GET)
                .setHost("127.0.0.1").setPort(fx.relay.port()).setURI("/debugger/events?token=" + ADMIN))
            .compose(req -> req.send()).map(res -> {
              res.handler(chunk -> {
                int n = count(chunk.toString(), "event: row\n");
                rows.addAndGet(n);
                rowsPerSecond.computeIfAbsent(System.currentTimeMillis() / 1000, k -> new AtomicLong())
                    .addAndGet(n);
              });
              return res;
            }));
      }
      fx.waitUntil(() -> VIEWERS == 0 || fx.relay.engine() != null, () -> "started");
      long t0 = System.nanoTime();
      ArrayDeque<Future<?>> window = new ArrayDeque<>();
      for (int sent = 0; sent < MESSAGES; sent += PER_REQUEST) {
        window.addLast(fx.client.post(fx.relay.port(), "127.0.0.1", "/v1/batch")
            .putHeader("Content-Type", "application/json")
            .putHeader("Authorization", RelayFixture.basic(RelayFixture.WRITE_KEY))
            .sendBuffer(EndToEndThroughputBenchTest.batch(sent)));
        if (window.size() >= CONCURRENT_POSTS) {
          RelayFixture.await(window.pollFirst());
        }
      }
      window.forEach(RelayFixture::await);
      while (mock.counts().distinctInsertIds() < MESSAGES) {
        Promise<Void> tick = Promise.promise();
        fx.vertx.setTimer(20, id -> tick.complete());
        RelayFixture.await(tick.future());
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(300);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      long busiest = rowsPerSecond.values().stream().mapToLong(AtomicLong::get).max().orElse(0);
      System.out.printf("debugger bench: %d events with %d viewer(s): all in the mock after %.2f s ="
          + " %.0f events/s; %d rows streamed to the viewers, at most %d in one second%n",
          MESSAGES, VIEWERS, seconds, MESSAGES / seconds, rows.get(), busiest);
      if (VIEWERS > 0) {
        assertThat(rows.get()).isPositive();
        assertThat(busiest).isLessThanOrEqualTo(2L * 50 * VIEWERS); // a flush can straddle a second
      }
      http.close();
    }
  }

  private static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}

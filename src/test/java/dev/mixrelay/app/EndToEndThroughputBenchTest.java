package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.mock.MockMixpanel;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end throughput: Segment batches posted to a running relay (real log, pipeline and
 * delivery) until the mock Mixpanel holds every event. Run:
 * {@code mvn -o -Pbench test -Dtest=EndToEndThroughputBenchTest}.
 */
@Tag("bench")
class EndToEndThroughputBenchTest {
  private static final int MESSAGES = Integer.getInteger("bench.messages", 200_000);
  private static final int PER_REQUEST = 100;
  private static final int CONCURRENT_POSTS = Integer.getInteger("bench.posts", 32);

  @TempDir
  Path dir;

  @Test
  void eventsPerSecondFromIntakeToTheMock() throws Exception {
    try (MockMixpanel mock = MockMixpanel.builder().retainBytes(0).build().start();
        RelayFixture fx = new RelayFixture(dir, RelayFixture.baseYaml(dir, null, mock.baseUrl()))) {
      DeliveryEndToEndTest.startReal(fx);
      // as many pooled connections as concurrent posts (WebClient's default pool holds 5)
      var client = io.vertx.ext.web.client.WebClient.create(fx.vertx,
          new io.vertx.ext.web.client.WebClientOptions().setKeepAlive(true),
          new io.vertx.core.http.PoolOptions().setHttp1MaxSize(CONCURRENT_POSTS));
      long t0 = System.nanoTime();
      ArrayDeque<Future<?>> window = new ArrayDeque<>();
      for (int sent = 0; sent < MESSAGES; sent += PER_REQUEST) {
        Buffer body = batch(sent);
        window.addLast(client.post(fx.relay.port(), "127.0.0.1", "/v1/batch")
            .putHeader("Content-Type", "application/json")
            .putHeader("Authorization", RelayFixture.basic(RelayFixture.WRITE_KEY))
            .sendBuffer(body).map(r -> {
              assertThat(r.statusCode()).isEqualTo(200);
              return r;
            }));
        if (window.size() >= CONCURRENT_POSTS) {
          RelayFixture.await(window.pollFirst());
        }
      }
      window.forEach(RelayFixture::await);
      double intakeSeconds = (System.nanoTime() - t0) / 1e9;
      while (mock.counts().distinctInsertIds() < MESSAGES) {
        Promise<Void> tick = Promise.promise();
        fx.vertx.setTimer(20, id -> tick.complete());
        RelayFixture.await(tick.future());
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(300);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      long imports = mock.counts().requestsWithStatus("200");
      System.out.printf("end-to-end bench: %d events, intake done in %.2f s (%.0f/s), all in the"
          + " mock after %.2f s = %.0f events/s; %d /import requests, mean %.1f records per"
          + " request%n", MESSAGES, intakeSeconds, MESSAGES / intakeSeconds, seconds,
          MESSAGES / seconds, imports, mock.counts().events() / (double) imports);
    }
  }

  private static Buffer batch(int from) {
    StringBuilder b = new StringBuilder(PER_REQUEST * 160).append("{\"batch\":[");
    for (int i = from; i < from + PER_REQUEST; i++) {
      b.append(i == from ? "" : ",").append("{\"type\":\"track\",\"userId\":\"u").append(i % 1000)
          .append("\",\"event\":\"Played\",\"messageId\":\"m-").append(i)
          .append("\",\"properties\":{\"n\":").append(i).append(",\"plan\":\"pro\"}}");
    }
    return Buffer.buffer(b.append("]}").toString());
  }
}

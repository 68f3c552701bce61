package dev.mixrelay.mock;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** How many events per second the mock takes over loopback: gzip, 2000-event batches, 4 senders. */
@Tag("bench")
class MockMixpanelThroughputTest {

  @Test
  void acceptsAtLeastThirtyThousandEventsPerSecond() throws Exception {
    int batches = 300;
    int perBatch = 2000;
    long now = System.currentTimeMillis();
    List<byte[]> bodies = new ArrayList<>();
    for (int b = 0; b < batches; b++) {
      StringJoiner j = new StringJoiner(",", "[", "]");
      for (int i = 0; i < perBatch; i++) {
        int n = b * perBatch + i;
        j.add(
            "{\"event\":\"Product Viewed\",\"properties\":{\"time\":"
                + (now - n)
                + ",\"distinct_id\":\"user-"
                + (n % 1000)
                + "\",\"$insert_id\":\""
                + java.util.UUID.nameUUIDFromBytes(("" + n).getBytes())
                + "\",\"$device_id\":\"d-"
                + (n % 1000)
                + "\",\"mp_lib\":\"Segment: analytics-node\","
                + "\"$browser\":\"Chrome\",\"$os\":\"Mac OS X\",\"price\":19.99,\"sku\":\"sku-"
                + (n % 50)
                + "\"}}");
      }
      bodies.add(MockHttp.gzip(j.toString()));
    }
    try (MockMixpanel mock = MockMixpanel.builder().build().start()) {
      HttpClient client = HttpClient.newHttpClient();
      long start = System.nanoTime();
      List<CompletableFuture<Void>> senders = new ArrayList<>();
      for (int s = 0; s < 4; s++) {
        int first = s;
        senders.add(
            CompletableFuture.runAsync(
                () -> {
                  for (int b = first; b < batches; b += 4) {
                    HttpRequest req =
                        HttpRequest.newBuilder(URI.create(mock.baseUrl() + "/import?strict=1"))
                            .header("Authorization", MockHttp.AUTH)
                            .header("Content-Encoding", "gzip")
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(b)))
                            .build();
                    HttpResponse<String> r = MockHttp.sendQuietly(client, req);
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                  }
                }));
      }
      CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).join();
      double seconds = (System.nanoTime() - start) / 1e9;
      double rate = batches * perBatch / seconds;
      System.out.printf(
          "mock Mixpanel: %d events in %.2f s = %.0f events/s%n",
          batches * perBatch, seconds, rate);
      assertThat(mock.counts().uniqueEvents()).isEqualTo((long) batches * perBatch);
      assertThat(rate).isGreaterThan(30_000);
    }
  }
}

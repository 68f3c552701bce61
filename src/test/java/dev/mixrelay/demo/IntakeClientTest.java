package dev.mixrelay.demo;

import dev.mixrelay.imports.Polling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Posting batches to intake: back-pressure, partial rejections, refusals. */
class IntakeClientTest {
  private static final Duration LIMIT = Duration.ofSeconds(20);
  private final Vertx vertx = Vertx.vertx();
  private final AtomicInteger requests = new AtomicInteger();

  @AfterEach
  void close() throws Exception {
    Polling.await(vertx.close(), LIMIT);
  }

  private int serve(String... answers) throws Exception {
    HttpServer server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      String[] a = answers[Math.min(requests.getAndIncrement(), answers.length - 1)].split(" ", 3);
      var resp = req.response().setStatusCode(Integer.parseInt(a[0]));
      if (!a[1].equals("-")) {
        resp.putHeader("Retry-After", a[1]);
      }
      resp.end(a[2]);
    }));
    return Polling.await(server.listen(0, "127.0.0.1"), LIMIT).actualPort();
  }

  private static List<byte[]> messages(int n) {
    return java.util.stream.IntStream.range(0, n)
        .mapToObj(i -> ("{\"type\":\"track\",\"event\":\"e" + i + "\"}").getBytes(StandardCharsets.UTF_8))
        .toList();
  }

  @Test
  void waitsOutA503AndA429ThenCountsWhatWasAccepted() throws Exception {
    int port = serve("503 1 {\"success\":false,\"code\":\"back_pressure\"}",
        "429 - {\"success\":false,\"code\":\"rate_limited\"}",
        "200 - {\"success\":true,\"rejected\":[{\"index\":1,\"error\":\"event: is required for track\"}]}");
    try (IntakeClient client = new IntakeClient(vertx, port, "key", false)) {
      IntakeClient.Result r = Polling.await(client.post(messages(3)), LIMIT);
      assertThat(r.retries()).isEqualTo(2);
      assertThat(r.accepted()).isEqualTo(2);
      assertThat(r.rejectedByReason()).containsExactly(java.util.Map.entry("event: is required for track", 1));
    }
    assertThat(requests).hasValue(3);
  }

  @Test
  void aBatchWhoseEveryMessageIsInvalidCountsAsRejectedNotAsAFailure() throws Exception {
    int port = serve("400 - {\"success\":false,\"code\":\"invalid_message\",\"rejected\":["
        + "{\"index\":0,\"error\":\"type: unknown type 'x'\"},{\"index\":1,\"error\":\"type: unknown type 'y'\"}]}");
    try (IntakeClient client = new IntakeClient(vertx, port, "key", false)) {
      IntakeClient.Result r = Polling.await(client.post(messages(2)), LIMIT);
      assertThat(r.accepted()).isZero();
      assertThat(r.rejectedByReason()).containsExactly(java.util.Map.entry("type: unknown type", 2));
    }
  }

  @Test
  void anUnknownWriteKeyFailsTheBatchWithTheRelaysReason() throws Exception {
    int port = serve("401 - {\"success\":false,\"code\":\"unknown_write_key\",\"error\":\"the write key is not configured here\"}");
    try (IntakeClient client = new IntakeClient(vertx, port, "key", false)) {
      assertThatThrownBy(() -> Polling.await(client.post(messages(1)), LIMIT))
          .isInstanceOf(IntakeClient.Refused.class).hasMessageContaining("401 unknown_write_key");
    }
  }

  @Test
  void retryAfterIsReadInSecondsWithinBounds() {
    assertThat(IntakeClient.retryAfterMillis("5")).isEqualTo(5000);
    assertThat(IntakeClient.retryAfterMillis(null)).isEqualTo(1000);
    assertThat(IntakeClient.retryAfterMillis("soon")).isEqualTo(1000);
    assertThat(IntakeClient.retryAfterMillis("0")).isEqualTo(100);
    assertThat(IntakeClient.retryAfterMillis("3600")).isEqualTo(60_000);
  }
}

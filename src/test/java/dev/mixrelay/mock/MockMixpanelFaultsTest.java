package dev.mixrelay.mock;

import static dev.mixrelay.mock.MockHttp.event;
import static dev.mixrelay.mock.MockHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MockMixpanelFaultsTest {
  static MockMixpanel mock;
  static MockHttp http;

  @BeforeAll
  static void start() {
    mock = MockMixpanel.builder().build().start();
    http = new MockHttp(mock.baseUrl());
  }

  @AfterAll
  static void stop() {
    mock.stop();
  }

  @BeforeEach
  void reset() {
    mock.reset();
  }

  private static String batch(String insertId) {
    return "[" + event("A", "u1", System.currentTimeMillis() - 1000, insertId) + "]";
  }

  @Test
  void answersAScriptedSequenceOf429And503ThenRecoversWithoutStoringTheFailedBatches() {
    mock.faults(Faults.NONE.withRateLimitRate(0, 7).withScript("429", "503"));

    HttpResponse<String> first = http.importJson(batch("id-1"));
    HttpResponse<String> second = http.importJson(batch("id-2"));
    HttpResponse<String> third = http.importJson(batch("id-3"));

    assertThat(first.statusCode()).isEqualTo(429);
    assertThat(first.headers().firstValue("Retry-After")).hasValue("7");
    assertThat(json(first).toString())
        .isEqualTo(
            "{\"code\":429,\"error\":\"Project exceeded rate limits. Please retry the request with"
                + " exponential backoff.\",\"status\":\"Too Many Requests\"}");
    assertThat(second.statusCode()).isEqualTo(503);
    assertThat(second.headers().firstValue("Retry-After")).isEmpty();
    assertThat(third.statusCode()).isEqualTo(200);
    assertThat(mock.counts().events()).isEqualTo(1);
    assertThat(mock.counts().requestsByStatus())
        .containsEntry("429", 1L)
        .containsEntry("503", 1L)
        .containsEntry("200", 1L);
  }

  @Test
  void injects429sWithoutRetryAfterAtTheConfiguredRateRepeatablyForASeed() {
    mock.faults(Faults.NONE.withRateLimitRate(0.5, null).withSeed(42));
    int limited = 0;
    StringBuilder pattern = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      HttpResponse<String> r = http.importJson(batch("id-" + i));
      if (r.statusCode() == 429) {
        limited++;
        assertThat(r.headers().firstValue("Retry-After")).isEmpty();
      }
      pattern.append(r.statusCode() == 429 ? 'x' : '.');
    }
    mock.faults(Faults.NONE.withRateLimitRate(0.5, null).withSeed(42));
    StringBuilder again = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      again.append(http.importJson(batch("id-" + i)).statusCode() == 429 ? 'x' : '.');
    }

    assertThat(limited).isBetween(30, 70);
    assertThat(again.toString()).isEqualTo(pattern.toString());
  }

  @Test
  void injectsServerErrorsAtTheConfiguredRate() {
    mock.faults(Faults.NONE.withErrorRate(1.0, 502));

    HttpResponse<String> r = http.importJson(batch("id-1"));

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(json(r).get("code").asInt()).isEqualTo(502);
    assertThat(mock.counts().events()).isZero();
  }

  @Test
  void resetsTheConnectionBeforeOrAfterAcceptingTheBatch() {
    mock.faults(Faults.NONE.withScript("reset", "accept-then-reset"));

    assertThatThrownBy(() -> http.importJson(batch("id-1")))
        .isInstanceOf(UncheckedIOException.class)
        .hasCauseInstanceOf(IOException.class);
    assertThat(mock.counts().events()).isZero();
    assertThatThrownBy(() -> http.importJson(batch("id-2")))
        .isInstanceOf(UncheckedIOException.class);
    assertThat(mock.counts().events()).isEqualTo(1);
    assertThat(mock.counts().requestsWithStatus("reset")).isEqualTo(2);
  }

  @Test
  void delaysResponsesByTheConfiguredLatency() {
    mock.faults(Faults.NONE.withLatencyMs(300));
    long start = System.nanoTime();

    HttpResponse<String> r = http.importJson(batch("id-1"));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(300);
  }

  @Test
  void switchesFaultsThroughTheAdminApiAndRefusesBadValues() {
    HttpResponse<String> set =
        http.post(
            "/__mixpanel/faults",
            "application/json",
            "{\"rateLimitRate\":1,\"retryAfterSeconds\":3}".getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> limited = http.importJson(batch("id-1"));
    HttpResponse<String> bad =
        http.post(
            "/__mixpanel/faults",
            "application/json",
            "{\"errorRate\":2}".getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> unknown =
        http.post(
            "/__mixpanel/faults",
            "application/json",
            "{\"errorRatio\":0.5}".getBytes(StandardCharsets.UTF_8));

    assertThat(set.statusCode()).isEqualTo(200);
    assertThat(json(set).get("rateLimitRate").asDouble()).isEqualTo(1.0);
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("Retry-After")).hasValue("3");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(json(bad).get("error").asText())
        .contains("errorRate must be between 0 and 1, was 2.0");
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(mock.faults().rateLimitRate()).isEqualTo(1.0);

    http.post("/__mixpanel/reset", "application/json", new byte[0]);
    assertThat(http.importJson(batch("id-1")).statusCode()).isEqualTo(200);
  }

  @Test
  void countsExactlyWhenManySendersRetryTheSameBatchesAtOnce() throws Exception {
    long t = System.currentTimeMillis() - 10_000;
    java.util.List<String> batches = new java.util.ArrayList<>();
    for (int b = 0; b < 20; b++) {
      java.util.StringJoiner j = new java.util.StringJoiner(",", "[", "]");
      for (int i = 0; i < 100; i++) {
        j.add(event("E", "u" + (i % 7), t + i, "b" + b + "-" + i));
      }
      batches.add(j.toString());
    }
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(6);
    try {
      java.util.List<java.util.concurrent.Future<Integer>> sent = new java.util.ArrayList<>();
      for (int sender = 0; sender < 6; sender++) {
        sent.add(
            pool.submit(
                () -> {
                  int ok = 0;
                  for (String batch : batches) {
                    ok += http.importJson(batch).statusCode() == 200 ? 1 : 0;
                  }
                  return ok;
                }));
      }
      for (java.util.concurrent.Future<Integer> f : sent) {
        assertThat(f.get()).isEqualTo(20);
      }
    } finally {
      pool.shutdownNow();
    }

    MockCounts c = mock.counts();
    assertThat(c.events()).isEqualTo(6 * 2000);
    assertThat(c.uniqueEvents()).isEqualTo(2000);
    assertThat(c.duplicates()).isEqualTo(5 * 2000);
    assertThat(c.distinctInsertIds()).isEqualTo(2000);
    assertThat(mock.events()).hasSize(2000);
  }

  @Test
  void neverFaultsItsOwnAdminRoutes() {
    mock.faults(Faults.NONE.withErrorRate(1.0, 500));

    assertThat(http.get("/__mixpanel/counts").statusCode()).isEqualTo(200);
    assertThat(http.get("/__mixpanel/health").statusCode()).isEqualTo(200);
  }
}

package dev.mixrelay.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.deliver.DeliveryOutcome.Delivered;
import dev.mixrelay.deliver.DeliveryOutcome.PartiallyRejected;
import dev.mixrelay.deliver.DeliveryOutcome.Rejected;
import dev.mixrelay.deliver.DeliveryOutcome.Rejection;
import dev.mixrelay.deliver.DeliveryOutcome.Retryable;
import dev.mixrelay.deliver.DeliveryOutcome.TooLarge;
import dev.mixrelay.deliver.DeliveryOutcome.Unauthorized;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResponseClassifierTest {
  private static final Instant NOW = Instant.parse("2026-11-23T15:00:00Z");

  private static DeliveryOutcome classify(int status, String body) {
    return classify(status, body, Map.of());
  }

  private static DeliveryOutcome classify(int status, String body, Map<String, String> headers) {
    return ResponseClassifier.classify(status, body, headers::get, NOW);
  }

  @Test
  void anImport200IsDelivered() {
    assertThat(classify(200, "{\"code\":200,\"num_records_imported\":2,\"status\":\"OK\"}"))
        .isEqualTo(new Delivered());
  }

  @Test
  void aVerbose200WithStatus1OrAPlain1IsDelivered() {
    assertThat(classify(200, "{\"status\":1,\"error\":null}")).isEqualTo(new Delivered());
    assertThat(classify(200, "1")).isEqualTo(new Delivered());
  }

  @Test
  void aVerbose200WithStatus0IsRejectedWithTheError() {
    assertThat(classify(200, "{\"status\":0,\"error\":\"$token is required\"}"))
        .isEqualTo(new Rejected("$token is required"));
    assertThat(classify(200, "0")).isInstanceOf(Rejected.class);
    assertThat(classify(200, "{\"status\":\"error\",\"error\":\"bad\"}"))
        .isEqualTo(new Rejected("bad"));
  }

  @Test
  void a400WithFailedRecordsReadsIndexAndBothInsertIdSpellings() {
    String body = "{\"code\":400,\"error\":\"some data points in the request failed validation\","
        + "\"failed_records\":[{\"index\":1,\"insert_id\":\"a\",\"field\":\"properties.time\","
        + "\"message\":\"'properties.time' is invalid\"},{\"index\":4,\"$insert_id\":\"b\","
        + "\"field\":\"event\"},{\"index\":6}]}";

    assertThat(classify(400, body)).isEqualTo(new PartiallyRejected(java.util.List.of(
        new Rejection(1, "a", "'properties.time' is invalid"),
        new Rejection(4, "b", "event is invalid"),
        new Rejection(6, null, "rejected by Mixpanel"))));
  }

  @Test
  void failedRecordsInA200AreStillRejections() {
    assertThat(classify(200, "{\"failed_records\":[{\"index\":0,\"message\":\"x\"}]}"))
        .isEqualTo(new PartiallyRejected(java.util.List.of(new Rejection(0, null, "x"))));
  }

  @Test
  void a400WithoutFailedRecordsRejectsTheBatch() {
    assertThat(classify(400, "{\"error\":\"malformed JSON\"}"))
        .isEqualTo(new Rejected("malformed JSON"));
    assertThat(classify(400, "")).isInstanceOf(Rejected.class);
  }

  @ParameterizedTest
  @ValueSource(ints = {401, 403})
  void refusedCredentialsAreUnauthorized(int status) {
    assertThat(classify(status, "{\"error\":\"Invalid credentials\"}"))
        .isEqualTo(new Unauthorized(status + " Invalid credentials"));
  }

  @Test
  void a413IsTooLarge() {
    assertThat(classify(413, "{\"error\":\"request exceeds max limit of 2097152 bytes\"}"))
        .isEqualTo(new TooLarge("request exceeds max limit of 2097152 bytes"));
  }

  @Test
  void a429IsRetryableAndHonoursRetryAfterInSecondsOrAsADate() {
    assertThat(classify(429, "{}")).isEqualTo(new Retryable(null, "429"));
    assertThat(classify(429, "{}", Map.of("Retry-After", "7")))
        .isEqualTo(new Retryable(Duration.ofSeconds(7), "429"));
    assertThat(classify(429, "{}", Map.of("Retry-After", "Mon, 23 Nov 2026 15:00:30 GMT")))
        .isEqualTo(new Retryable(Duration.ofSeconds(30), "429"));
    assertThat(classify(429, "{}", Map.of("Retry-After", "soon")))
        .isEqualTo(new Retryable(null, "429"));
    assertThat(classify(429, "{}", Map.of("Retry-After", "86400")))
        .isEqualTo(new Retryable(Duration.ofMinutes(10), "429"));
  }

  @ParameterizedTest
  @ValueSource(ints = {500, 502, 503, 504})
  void serverErrorsAreRetryable(int status) {
    assertThat(classify(status, "<html>")).isEqualTo(new Retryable(null, "5xx"));
  }

  @Test
  void unexpectedStatusesKeepTheRecordsAndRetry() {
    assertThat(classify(404, "not found")).isEqualTo(new Retryable(null, "status"));
    assertThat(classify(408, "")).isEqualTo(new Retryable(null, "timeout"));
  }
}

package dev.mixrelay.mock;

import static dev.mixrelay.mock.MockHttp.event;
import static dev.mixrelay.mock.MockHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mixrelay.mixpanel.Credentials;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.StringJoiner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MockMixpanelImportTest {
  static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
  static final long T = NOW.toEpochMilli() - 60_000;
  static MockMixpanel mock;
  static MockHttp http;

  @BeforeAll
  static void start() {
    mock =
        MockMixpanel.builder()
            .clock(Clock.fixed(NOW, ZoneOffset.UTC))
            .limits(2000, 64 * 1024, 8 * 1024)
            .build()
            .start();
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

  @Test
  void acceptsAJsonArrayAndAnswersLikeMixpanel() {
    HttpResponse<String> r =
        http.importJson(
            "["
                + event("Signed Up", "u1", T, "id-1")
                + ","
                + event("Logged In", "u1", T + 1, "id-2")
                + "]");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r))
        .isEqualTo(
            MockHttp.JSON
                .createObjectNode()
                .put("code", 200)
                .put("num_records_imported", 2)
                .put("status", "OK"));
    assertThat(mock.events("u1"))
        .extracting(e -> e.eventName())
        .containsExactly("Signed Up", "Logged In");
  }

  @Test
  void refusesImportWithoutBasicAuthOrWithAnEmptyUser() {
    HttpResponse<String> none =
        http.post(
            "/import?strict=1",
            "application/json",
            ("[" + event("A", "u1", T, "id-1") + "]").getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> empty =
        http.post(
            "/import?strict=1",
            "application/json",
            ("[" + event("A", "u1", T, "id-1") + "]").getBytes(StandardCharsets.UTF_8),
            "Authorization",
            MockHttp.basic("", "x"));

    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(empty.statusCode()).isEqualTo(401);
    assertThat(json(none).toString())
        .isEqualTo("{\"code\":401,\"error\":\"Invalid credentials\",\"status\":\"Unauthorized\"}");
    assertThat(mock.counts().events()).isZero();
  }

  @Test
  void acceptsOnlyTheConfiguredCredentialsAndAServiceAccountOnlyWithItsProjectId() {
    try (MockMixpanel strict =
        MockMixpanel.builder()
            .credential("sa.user", "s3cret")
            .credential("api-secret", "")
            .projectId("1234")
            .build()
            .start()) {
      MockHttp h = new MockHttp(strict.baseUrl());
      byte[] body =
          ("[" + event("A", "u1", System.currentTimeMillis(), "id-1") + "]")
              .getBytes(StandardCharsets.UTF_8);

      assertThat(
              h.post(
                      "/import?strict=1&project_id=1234",
                      "application/json",
                      body,
                      "Authorization",
                      MockHttp.basic("sa.user", "s3cret"))
                  .statusCode())
          .isEqualTo(200);
      assertThat(
              h.post(
                      "/import?strict=1",
                      "application/json",
                      body,
                      "Authorization",
                      MockHttp.basic("sa.user", "s3cret"))
                  .statusCode())
          .isEqualTo(401);
      assertThat(
              h.post(
                      "/import?strict=1&project_id=1234",
                      "application/json",
                      body,
                      "Authorization",
                      MockHttp.basic("sa.user", "wrong"))
                  .statusCode())
          .isEqualTo(401);
      assertThat(
              h.post(
                      "/import?strict=1",
                      "application/json",
                      body,
                      "Authorization",
                      MockHttp.basic("api-secret", ""))
                  .statusCode())
          .isEqualTo(200);
      assertThat(
              h.post(
                      "/import?strict=1",
                      "application/json",
                      body,
                      "Authorization",
                      MockHttp.basic("other", ""))
                  .statusCode())
          .isEqualTo(401);
    }
  }

  @Test
  void acceptsWhatADestinationWithTheseCredentialsSends() {
    Credentials sa = new Credentials.ServiceAccount("sa.user", "s3cret", "77");
    try (MockMixpanel m = MockMixpanel.builder().accept(sa).build().start()) {
      MockHttp h = new MockHttp(m.baseUrl());
      byte[] body =
          ("[" + event("A", "u1", System.currentTimeMillis(), "id-1") + "]")
              .getBytes(StandardCharsets.UTF_8);

      assertThat(
              h.post(
                      "/import?strict=1&project_id=77",
                      "application/json",
                      body,
                      "Authorization",
                      sa.authorizationHeader())
                  .statusCode())
          .isEqualTo(200);
      assertThat(
              h.post(
                      "/import?strict=1&project_id=78",
                      "application/json",
                      body,
                      "Authorization",
                      sa.authorizationHeader())
                  .statusCode())
          .isEqualTo(401);
    }
  }

  @Test
  void readsGzipBodiesAndNdjson() {
    String ndjson = event("A", "u1", T, "id-1") + "\n" + event("B", "u1", T, "id-2") + "\n";
    HttpResponse<String> r =
        http.post(
            "/import?strict=1",
            "application/x-ndjson",
            MockHttp.gzip(ndjson),
            "Authorization",
            MockHttp.AUTH,
            "Content-Encoding",
            "gzip");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r).get("num_records_imported").asInt()).isEqualTo(2);
    assertThat(mock.events("u1")).extracting(e -> e.eventName()).containsExactly("A", "B");
  }

  @Test
  void reportsEachInvalidRecordWithItsIndexFieldAndMessageAndKeepsTheValidOnes() {
    String body =
        "["
            + event("Good", "u1", T, "id-1")
            + ",{\"event\":\"No"
            + " Time\",\"properties\":{\"distinct_id\":\"u1\",\"$insert_id\":\"id-2\"}},{\"event\":\"Bad"
            + " Time\",\"properties\":{\"time\":\"yesterday\",\"distinct_id\":\"u1\",\"$insert_id\":\"id-3\"}},"
            + event("Placeholder", "anonymous", T, "id-4")
            + ","
            + event("Long Id", "u1", T, "0123456789-0123456789-0123456789-0123")
            + ","
            + event("Colon Id", "u1", T, "node:abc")
            + ","
            + event("Future", "u1", NOW.toEpochMilli() + 2 * 3_600_000, "id-7")
            + ","
            + event("Old", "u1", 1000L, "id-8")
            + ","
            + "{\"properties\":{\"time\":1,\"distinct_id\":\"u1\",\"$insert_id\":\"id-9\"}}]";

    HttpResponse<String> r = http.importJson(body);

    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode j = json(r);
    assertThat(j.get("code").asInt()).isEqualTo(400);
    assertThat(j.get("error").asText())
        .isEqualTo("some data points in the request failed validation");
    assertThat(j.get("status").asText()).isEqualTo("Bad Request");
    assertThat(j.get("num_records_imported").asInt()).isEqualTo(1);
    JsonNode failed = j.get("failed_records");
    assertThat(failed).hasSize(8);
    assertThat(failed.get(0).toString())
        .isEqualTo(
            "{\"index\":1,\"insert_id\":\"id-2\","
                + "\"field\":\"properties.time\",\"message\":\"'properties.time' is required\"}");
    assertThat(failed.get(1).get("message").asText())
        .isEqualTo("'properties.time' is invalid: must be specified as seconds since epoch");
    assertThat(failed)
        .extracting(f -> f.get("index").asInt())
        .containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    assertThat(failed)
        .extracting(f -> f.get("field").asText())
        .containsExactly(
            "properties.time",
            "properties.time",
            "properties.distinct_id",
            "properties.$insert_id",
            "properties.$insert_id",
            "properties.time",
            "properties.time",
            "event");
    assertThat(mock.events()).extracting(e -> e.eventName()).containsExactly("Good");
    assertThat(mock.counts().rejected()).isEqualTo(8);
  }

  @Test
  void refusesTooManyPropertiesTooDeepNestingAndLongLists() {
    StringJoiner many = new StringJoiner(",");
    for (int i = 0; i < 260; i++) {
      many.add("\"p" + i + "\":1");
    }
    String base = "\"time\":" + T + ",\"distinct_id\":\"u1\",";
    String body =
        "[{\"event\":\"Many\",\"properties\":{"
            + base
            + "\"$insert_id\":\"i1\","
            + many
            + "}},"
            + "{\"event\":\"Deep\",\"properties\":{"
            + base
            + "\"$insert_id\":\"i2\",\"a\":{\"b\":{\"c\":{\"d\":{\"e\":1}}}}}},"
            + "{\"event\":\"List\",\"properties\":{"
            + base
            + "\"$insert_id\":\"i3\",\"l\":["
            + "1,".repeat(300)
            + "1]}},"
            + "{\"event\":\"Ok Nesting\",\"properties\":{"
            + base
            + "\"$insert_id\":\"i4\",\"a\":{\"b\":{\"c\":{\"d\":1}}}}}]";

    JsonNode failed = json(http.importJson(body)).get("failed_records");

    assertThat(failed)
        .extracting(f -> f.get("field").asText())
        .containsExactly("properties", "properties.a.b.c.d", "properties.l");
    assertThat(mock.events()).extracting(e -> e.eventName()).containsExactly("Ok Nesting");
  }

  @Test
  void answers413PastTheRecordLimitOrTheByteLimit() {
    StringJoiner batch = new StringJoiner(",", "[", "]");
    for (int i = 0; i < 2001; i++) {
      batch.add("{}");
    }
    HttpResponse<String> tooMany = http.importJson(batch.toString());
    HttpResponse<String> tooBig =
        http.importJson("[" + event("A", "u1", T, "x".repeat(70_000)) + "]");

    assertThat(tooMany.statusCode()).isEqualTo(413);
    assertThat(json(tooMany).get("error").asText())
        .startsWith("request exceeds max limit of 2000 records");
    assertThat(tooBig.statusCode()).isEqualTo(413);
    assertThat(json(tooBig).toString())
        .isEqualTo(
            "{\"code\":413,\"error\":\"request exceeds max limit of "
                + 64 * 1024
                + " bytes\",\"status\":\"Request Entity Too Large\"}");
    assertThat(mock.counts().events()).isZero();
  }

  @Test
  void deduplicatesOnEventDistinctIdTimeAndInsertIdKeepingTheLatestCopy() {
    String first =
        "[{\"event\":\"A\",\"properties\":{\"time\":"
            + T
            + ",\"distinct_id\":\"u1\",\"$insert_id\":\"id-1\",\"v\":1}}]";
    String retry =
        "[{\"event\":\"A\",\"properties\":{\"time\":"
            + T
            + ",\"distinct_id\":\"u1\",\"$insert_id\":\"id-1\",\"v\":2}}]";
    http.importJson(first);
    HttpResponse<String> again = http.importJson(retry);
    http.importJson(
        "[" + event("A", "u1", T + 1000, "id-1") + "," + event("B", "u1", T, "id-1") + "]");
    http.importJson(
        "["
            + event("A", "u1", (T / 1000), "id-9")
            + ","
            + event("A", "u1", (T / 1000) * 1000, "id-9")
            + "]");

    assertThat(json(again).get("num_records_imported").asInt()).isEqualTo(1);
    MockCounts c = mock.counts();
    assertThat(c.events()).isEqualTo(6);
    assertThat(c.duplicates()).isEqualTo(2);
    assertThat(c.uniqueEvents()).isEqualTo(4);
    assertThat(c.distinctInsertIds()).isEqualTo(2);
    assertThat(mock.distinctInsertIds()).isEqualTo(2);
    assertThat(mock.events("u1", "A").get(0).properties().get("v").asInt()).isEqualTo(2);
  }

  @Test
  void withStrictOffDropsInvalidRecordsSilentlyAndAnswersOne() {
    HttpResponse<String> r =
        http.post(
            "/import?strict=0",
            "application/json",
            ("[" + event("A", "u1", T, "id-1") + ",{\"event\":\"B\"}]")
                .getBytes(StandardCharsets.UTF_8),
            "Authorization",
            MockHttp.AUTH);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("1");
    assertThat(mock.events()).hasSize(1);
  }

  @Test
  void answers400ForABodyThatIsNotJson() {
    HttpResponse<String> r = http.importJson("[{\"event\":");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).get("error").asText()).startsWith("request body is not valid JSON");
  }
}

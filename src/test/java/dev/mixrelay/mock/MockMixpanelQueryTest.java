package dev.mixrelay.mock;

import static dev.mixrelay.mock.MockHttp.event;
import static dev.mixrelay.mock.MockHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MockMixpanelQueryTest {
  static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
  static final long T = NOW.toEpochMilli() - 60_000;
  static MockMixpanel mock;
  static MockHttp http;

  @BeforeAll
  static void start() {
    mock =
        MockMixpanel.builder().clock(Clock.fixed(NOW, ZoneOffset.UTC)).token("tok").build().start();
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

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void answersEventQueriesByDistinctIdAndEventName() {
    http.importJson(
        "["
            + event("A", "u1", T, "i1")
            + ","
            + event("B", "u1", T, "i2")
            + ","
            + event("A", "u2", T, "i3")
            + "]");

    JsonNode u1 = json(http.get("/__mixpanel/events?distinct_id=u1"));
    JsonNode u1a = json(http.get("/__mixpanel/events?distinct_id=u1&event=A"));
    JsonNode byId = json(http.get("/__mixpanel/events?insert_id=i3"));

    assertThat(u1).extracting(e -> e.get("event").asText()).containsExactly("A", "B");
    assertThat(u1a).hasSize(1);
    assertThat(byId)
        .extracting(e -> e.at("/properties/distinct_id").asText())
        .containsExactly("u2");
    assertThat(mock.eventsNamed("A")).hasSize(2);
  }

  @Test
  void listsSessionStartAndEndEventsAndCountsThem() {
    http.importJson(
        "["
            + event("Session Start", "u1", T, "s1")
            + ","
            + event("Viewed", "u1", T, "v1")
            + ","
            + event("Session End", "u1", T + 5000, "s2")
            + "]");

    JsonNode sessions = json(http.get("/__mixpanel/sessions"));
    JsonNode counts = json(http.get("/__mixpanel/counts"));

    assertThat(sessions)
        .extracting(e -> e.get("event").asText())
        .containsExactly("Session Start", "Session End");
    assertThat(mock.sessions()).hasSize(2);
    assertThat(mock.sessions("u1")).hasSize(2);
    assertThat(mock.sessions("u2")).isEmpty();
    assertThat(counts.get("sessionStarts").asInt()).isEqualTo(1);
    assertThat(counts.get("sessionEnds").asInt()).isEqualTo(1);
    assertThat(counts.get("events").asInt()).isEqualTo(3);
    assertThat(counts.at("/requestsByStatus/200").asInt()).isEqualTo(1);
  }

  @Test
  void digestsTheDistinctInsertIdsOfEventsAndOfSessionsApartWhateverTheOrderAndRepeats() {
    http.importJson("[" + event("B", "u1", T, "i2") + "," + event("A", "u1", T, "i1") + "]");
    http.importJson(
        "["
            + event("A", "u1", T, "i1")
            + ","
            + event("Session Start", "u1", T, "s1")
            + ","
            + event("Session End", "u1", T + 5000, "s2")
            + "]");
    InsertIdDigest events = new InsertIdDigest();
    events.add("i1");
    events.add("i2");
    InsertIdDigest sessions = new InsertIdDigest();
    sessions.add("s1");
    sessions.add("s2");
    InsertIdDigest other = new InsertIdDigest();
    other.add("i1");
    other.add("i3");

    JsonNode counts = json(http.get("/__mixpanel/counts"));

    assertThat(mock.counts().eventInsertIdDigest())
        .isEqualTo(events.value())
        .isNotEqualTo(other.value());
    assertThat(mock.counts().sessionInsertIdDigest()).isEqualTo(sessions.value());
    assertThat(counts.get("eventInsertIdDigest").asText()).isEqualTo(events.value());
    assertThat(InsertIdDigest.countOf(counts.get("sessionInsertIdDigest").asText())).isEqualTo(2);
    mock.reset();
    assertThat(mock.counts().eventInsertIdDigest()).isEqualTo(new InsertIdDigest().value());
  }

  @Test
  void acceptsEngageUpdatesAndAnswersOneOrVerboseJson() {
    String body =
        "[{\"$token\":\"tok\",\"$distinct_id\":\"u1\",\"$ip\":0,\"$set\":{\"$email\":\"a@b.c\"}},"
            + "{\"$token\":\"tok\",\"$distinct_id\":\"u1\",\"$union\":{\"roles\":[\"admin\"]}}]";

    HttpResponse<String> plain = http.post("/engage", "application/json", bytes(body));
    HttpResponse<String> verbose =
        http.post("/engage?verbose=1&ip=0", "application/json", bytes(body));
    HttpResponse<String> form =
        http.post(
            "/engage",
            "application/x-www-form-urlencoded",
            bytes("data=" + URLEncoder.encode(body, StandardCharsets.UTF_8)));

    assertThat(plain.body()).isEqualTo("1");
    assertThat(json(verbose).toString()).isEqualTo("{\"status\":1,\"error\":null}");
    assertThat(form.body()).isEqualTo("1");
    assertThat(mock.engageOps("u1")).hasSize(6);
    assertThat(json(http.get("/__mixpanel/engage?distinct_id=u1&op=$union"))).hasSize(3);
    assertThat(mock.counts().engageOps()).isEqualTo(6);
  }

  @Test
  void reportsInvalidEngageUpdatesInTheBodyWithStrictAndRefusesGzip() {
    String body =
        "[{\"$token\":\"tok\",\"$distinct_id\":\"u1\",\"$set\":{\"a\":1}},"
            + "{\"$token\":\"other\",\"$distinct_id\":\"u1\",\"$set\":{\"a\":1}},"
            + "{\"$token\":\"tok\",\"$distinct_id\":\"u1\",\"$set\":{\"a\":1},\"$add\":{\"n\":1}},"
            + "{\"$token\":\"tok\",\"$distinct_id\":\"u1\",\"$add\":{\"n\":\"x\"}},"
            + "{\"$token\":\"tok\",\"$set\":{\"a\":1}}]";

    HttpResponse<String> strict = http.post("/engage?strict=1", "application/json", bytes(body));
    HttpResponse<String> gzip =
        http.post("/engage", "application/json", MockHttp.gzip(body), "Content-Encoding", "gzip");

    assertThat(strict.statusCode()).isEqualTo(200);
    JsonNode j = json(strict);
    assertThat(j.get("status").asInt()).isZero();
    assertThat(j.get("failed_records"))
        .extracting(f -> f.get("index").asInt() + ":" + f.get("field").asText())
        .containsExactly("1:$token", "2:record", "3:$add.n", "4:$distinct_id");
    assertThat(gzip.statusCode()).isEqualTo(400);
    assertThat(mock.engageOps()).hasSize(1);
  }

  @Test
  void acceptsGroupUpdatesButNotAddOrAppend() {
    String body =
        "[{\"$token\":\"tok\",\"$group_key\":\"company_id\",\"$group_id\":\"acme\","
            + "\"$set\":{\"$name\":\"Acme\"}},"
            + "{\"$token\":\"tok\",\"$group_key\":\"company_id\",\"$group_id\":\"acme\",\"$add\":{\"n\":1}}]";

    HttpResponse<String> r = http.post("/groups?verbose=1", "application/json", bytes(body));

    assertThat(json(r).get("status").asInt()).isEqualTo(1);
    assertThat(mock.groupOps()).hasSize(1);
    assertThat(json(http.get("/__mixpanel/groups?group_key=company_id&group_id=acme"))).hasSize(1);
    assertThat(mock.counts().rejected()).isEqualTo(1);
  }

  @Test
  void tracksFormAndBase64BodiesWithTheProjectTokenAndIgnoresEventsOlderThanFiveDays() {
    String events =
        "[{\"event\":\"A\",\"properties\":{\"token\":\"tok\",\"distinct_id\":\"u1\",\"time\":"
            + (T / 1000)
            + ",\"$insert_id\":\"t1\"}},"
            + "{\"event\":\"Old\",\"properties\":{\"token\":\"tok\",\"distinct_id\":\"u1\",\"time\":"
            + (T / 1000 - 6 * 86400)
            + "}},{\"event\":\"Wrong"
            + " Token\",\"properties\":{\"token\":\"nope\",\"distinct_id\":\"u1\"}}]";
    String b64 = Base64.getEncoder().encodeToString(bytes(events));

    HttpResponse<String> form =
        http.post(
            "/track?ip=0",
            "application/x-www-form-urlencoded",
            bytes("data=" + URLEncoder.encode(events, StandardCharsets.UTF_8)));
    HttpResponse<String> base64 =
        http.post(
            "/track?verbose=1",
            "application/x-www-form-urlencoded",
            bytes("data=" + URLEncoder.encode(b64, StandardCharsets.UTF_8)));
    HttpResponse<String> noneValid =
        http.post(
            "/track",
            "application/json",
            bytes("[{\"event\":\"X\",\"properties\":{\"distinct_id\":\"u1\"}}]"));

    assertThat(form.body()).isEqualTo("1");
    assertThat(json(base64).get("status").asInt()).isEqualTo(1);
    assertThat(noneValid.body()).isEqualTo("0");
    assertThat(mock.events("u1")).extracting(e -> e.eventName()).containsExactly("A");
    assertThat(mock.counts().duplicates()).isEqualTo(1);
  }

  @Test
  void showsTheProfileThatTheUpdatesAddUpTo() {
    String body =
        "[{\"$token\":\"tok\",\"$distinct_id\":\"u1\",\"$set\":{\"plan\":\"free\",\"n\":1}},"
            + "{\"$token\":\"tok\",\"$distinct_id\":\"u1\",\"$set_once\":{\"plan\":\"x\",\"first\":\"ad\"}},"
            + "{\"$token\":\"tok\",\"$distinct_id\":\"u1\",\"$add\":{\"n\":2}},"
            + "{\"$token\":\"tok\",\"$distinct_id\":\"u1\",\"$union\":{\"roles\":[\"a\",\"b\"]}},"
            + "{\"$token\":\"tok\",\"$distinct_id\":\"u1\",\"$union\":{\"roles\":[\"b\",\"c\"]}},"
            + "{\"$token\":\"tok\",\"$distinct_id\":\"u1\",\"$append\":{\"t\":{\"$amount\":5}}},"
            + "{\"$token\":\"tok\",\"$distinct_id\":\"u1\",\"$remove\":{\"roles\":\"a\"}},"
            + "{\"$token\":\"tok\",\"$distinct_id\":\"u1\",\"$unset\":[\"first\"]}]";
    http.post("/engage", "application/json", bytes(body));
    http.post(
        "/groups",
        "application/json",
        bytes(
            "[{\"$token\":\"tok\",\"$group_key\":\"company_id\","
                + "\"$group_id\":\"acme\",\"$set\":{\"$name\":\"Acme\"}}]"));

    assertThat(mock.profile("u1").toString())
        .isEqualTo("{\"plan\":\"free\",\"n\":3.0,\"roles\":[\"b\",\"c\"],\"t\":[{\"$amount\":5}]}");
    assertThat(json(http.get("/__mixpanel/profile?distinct_id=u1")).get("plan").asText())
        .isEqualTo("free");
    assertThat(http.get("/__mixpanel/profile?distinct_id=nobody").statusCode()).isEqualTo(404);
    assertThat(
            json(http.get("/__mixpanel/group?group_key=company_id&group_id=acme"))
                .get("$name")
                .asText())
        .isEqualTo("Acme");
  }

  @Test
  void resetForgetsEverything() {
    http.importJson("[" + event("A", "u1", T, "i1") + "]");

    http.post("/__mixpanel/reset", "application/json", new byte[0]);

    assertThat(mock.events()).isEmpty();
    assertThat(mock.counts().requests()).isZero();
    assertThat(mock.distinctInsertIds()).isZero();
  }

  @Test
  void keepsCountingAndDeduplicatingPastTheRetainedByteBudget() {
    try (MockMixpanel small =
        MockMixpanel.builder()
            .clock(Clock.fixed(NOW, ZoneOffset.UTC))
            .retainBytes(200)
            .build()
            .start()) {
      MockHttp h = new MockHttp(small.baseUrl());
      String body =
          "["
              + event("A", "u1", T, "i1")
              + ","
              + event("A", "u1", T, "i2")
              + ","
              + event("A", "u1", T, "i3")
              + "]";
      h.importJson(body);
      h.importJson(body);

      MockCounts c = small.counts();
      assertThat(c.uniqueEvents()).isEqualTo(3);
      assertThat(c.duplicates()).isEqualTo(3);
      assertThat(c.notRetained()).isEqualTo(1);
      assertThat(small.events()).hasSize(2);
    }
  }
}

package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The debugger's event stream over plain HTTP (no browser): a filtered viewer gets the matching
 * messages with their Mixpanel records, and an open stream does not hold up the relay's stop.
 */
class DebuggerStreamTest {
  private static final String ADMIN = "stream-admin-token";

  @TempDir
  Path dir;

  @Test
  void aFilteredStreamCarriesMatchingMessagesWithTheirRecordsAndEndsWhenTheRelayStops() {
    try (RelayFixture fx = new RelayFixture(dir, "admin: { token: " + ADMIN + " }")) {
      fx.start(r -> new RelayFixture.RecordingDelivery());
      HttpClient http = fx.vertx.createHttpClient();
      StringBuffer stream = new StringBuffer();
      HttpClientResponse res = RelayFixture.await(http.request(new RequestOptions()
              .setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(fx.relay.port())
              .setURI("/debugger/events?type=track&event=order"))
          .compose(req -> req.putHeader("Authorization", "Bearer " + ADMIN).send())
          .map(r -> r.handler(b -> stream.append(b.toString()))));
      assertThat(res.statusCode()).isEqualTo(200);
      assertThat(res.getHeader("Content-Type")).startsWith("text/event-stream");
      fx.waitUntil(() -> stream.toString().contains("event: hello"), stream::toString);

      String batch = """
          {"batch":[
            {"type":"identify","userId":"order-fan","traits":{"plan":"pro"}},
            {"type":"track","userId":"u1","event":"Signed Up"},
            {"type":"track","userId":"u1","event":"Order Completed","properties":{"revenue":5}}
          ]}""";
      assertThat(fx.post("/v1/batch", batch, Map.of("Authorization", RelayFixture.basic(RelayFixture.WRITE_KEY)))
          .statusCode()).isEqualTo(200);
      fx.waitUntil(() -> rows(stream).size() == 1 && stream.toString().contains("\"matched\":1"), stream::toString);
      JsonObject row = rows(stream).get(0);
      assertThat(row.getString("type")).isEqualTo("track");
      assertThat(row.getString("source")).isEqualTo("source-0");
      assertThat(row.getString("outcome")).isEqualTo("translated");
      assertThat(row.getJsonObject("message").getString("event")).isEqualTo("Order Completed");
      JsonObject record = row.getJsonArray("records").getJsonObject(0);
      assertThat(record.getString("endpoint")).isEqualTo("/import");
      assertThat(record.getJsonObject("body").getJsonObject("properties").getString("distinct_id")).isEqualTo("u1");
      assertThat(stream.toString()).doesNotContain(RelayFixture.WRITE_KEY).doesNotContain("Signed Up");

      long t0 = System.nanoTime();
      fx.stopRelay();
      assertThat(Duration.ofNanos(System.nanoTime() - t0))
          .as("an open debugger stream must not hold up the graceful shutdown (5 s per server)")
          .isLessThan(Duration.ofSeconds(4));
    }
  }

  @Test
  void aMessageRefusedAtIntakeIsShownWithTheErrorItsSenderGot() {
    try (RelayFixture fx = new RelayFixture(dir, "admin: { token: " + ADMIN + " }")) {
      fx.start(r -> new RelayFixture.RecordingDelivery());
      HttpClient http = fx.vertx.createHttpClient();
      StringBuffer stream = new StringBuffer();
      HttpClientResponse res = RelayFixture.await(http.request(new RequestOptions()
              .setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(fx.relay.port())
              .setURI("/debugger/events?user=refused-user"))
          .compose(req -> req.putHeader("Authorization", "Bearer " + ADMIN).send())
          .map(r -> r.handler(b -> stream.append(b.toString()))));
      assertThat(res.statusCode()).isEqualTo(200);
      fx.waitUntil(() -> stream.toString().contains("event: hello"), stream::toString);

      String batch = """
          {"batch":[
            {"type":"track","userId":"refused-user","properties":{"plan":"pro"}},
            {"type":"track","userId":"refused-user","event":"Signed Up"}
          ]}""";
      assertThat(fx.post("/v1/batch", batch, Map.of("Authorization",
          RelayFixture.basic(RelayFixture.WRITE_KEY))).statusCode()).isEqualTo(200);
      fx.waitUntil(() -> rows(stream).size() == 2, stream::toString);
      JsonObject refused = rows(stream).stream()
          .filter(r -> r.getString("outcome").startsWith("refused at intake")).findFirst()
          .orElseThrow();
      assertThat(refused.getString("outcome")).contains("event");
      assertThat(refused.getString("source")).isEqualTo("source-0");
      assertThat(refused.getString("type")).isEqualTo("track");
      assertThat(refused.getJsonObject("message").containsKey("event")).isFalse();
      assertThat(refused.getJsonArray("records")).isEmpty();
      assertThat(stream.toString()).doesNotContain(RelayFixture.WRITE_KEY);
    }
  }

  private static List<JsonObject> rows(StringBuffer stream) {
    List<JsonObject> rows = new ArrayList<>();
    for (String event : stream.toString().split("\n\n")) {
      if (event.startsWith("event: row\ndata: ")) {
        rows.add(new JsonObject(event.substring("event: row\ndata: ".length())));
      }
    }
    return rows;
  }
}

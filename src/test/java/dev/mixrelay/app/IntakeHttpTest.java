package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Segment HTTP Tracking API and the webhook intake, over real HTTP against a started relay. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IntakeHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, String> AUTH = Map.of("Authorization", RelayFixture.basic(RelayFixture.WRITE_KEY));

  @TempDir
  static Path dir;
  RelayFixture fx;

  @BeforeAll
  void start() {
    fx = new RelayFixture(dir, (String) null).startIntakeOnly();
  }

  @AfterAll
  void stop() {
    fx.close();
  }

  private JsonNode lastLogged() throws Exception {
    var all = fx.logged();
    return JSON.readTree(all.get(all.size() - 1).json());
  }

  @ParameterizedTest
  @ValueSource(strings = {"track", "identify", "page", "screen", "group", "alias"})
  void eachSingleCallEndpointAcceptsItsMessage(String type) throws Exception {
    String body = switch (type) {
      case "track" -> "{\"userId\":\"u1\",\"event\":\"Signed Up\"}";
      case "group" -> "{\"userId\":\"u1\",\"groupId\":\"g1\"}";
      case "alias" -> "{\"userId\":\"u1\",\"previousId\":\"anon-1\"}";
      default -> "{\"anonymousId\":\"a1\"}";
    };
    for (String path : List.of("/v1/" + type, "/v1/" + type + "/")) {
      HttpResponse<Buffer> r = fx.post(path, body, AUTH);
      assertThat(r.statusCode()).as(path).isEqualTo(200);
      assertThat(r.bodyAsJsonObject().getBoolean("success")).isTrue();
      JsonNode logged = lastLogged();
      assertThat(logged.get("type").asText()).isEqualTo(type);
      assertThat(logged.get("messageId").asText()).isNotEmpty();
      assertThat(logged.has("receivedAt")).isTrue();
      assertThat(logged.has("timestamp")).isTrue();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"/v1/batch", "/v1/batch/", "/v1/import", "/v1/import/"})
  void batchEndpointsMergeBatchContextAndAcceptEveryGoodMessage(String path) throws Exception {
    int before = fx.logged().size();
    String body = """
        {"batch":[{"type":"track","userId":"u1","event":"A","context":{"ip":"1.2.3.4"}},
                  {"type":"identify","userId":"u1","traits":{"email":"a@b.c"}}],
         "context":{"library":{"name":"analytics-java","version":"3.5.4"},"ip":"9.9.9.9"},
         "integrations":{"Mixpanel":true},
         "writeKey":"%s","sentAt":"2024-06-10T07:33:21.000Z"}
        """.formatted(RelayFixture.WRITE_KEY);
    HttpResponse<Buffer> r = fx.post(path, body, Map.of());
    assertThat(r.statusCode()).isEqualTo(200);
    var logged = fx.logged();
    assertThat(logged).hasSize(before + 2);
    JsonNode first = JSON.readTree(logged.get(before).json());
    assertThat(first.at("/context/library/name").asText()).isEqualTo("analytics-java");
    assertThat(first.at("/context/ip").asText()).as("the message's own context wins").isEqualTo("1.2.3.4");
    assertThat(first.at("/integrations/Mixpanel").asBoolean()).isTrue();
  }

  @Test
  void clockSkewIsCorrectedWithSentAt() throws Exception {
    // the client's clock is one hour ahead: sentAt is 1h after now, the event 10 s before sentAt
    java.time.Instant now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    String sentAt = now.plusSeconds(3600).toString();
    String ts = now.plusSeconds(3590).toString();
    fx.post("/v1/track", "{\"userId\":\"u\",\"event\":\"E\",\"timestamp\":\"" + ts + "\",\"sentAt\":\""
        + sentAt + "\"}", AUTH);
    JsonNode logged = lastLogged();
    java.time.Instant corrected = java.time.Instant.parse(logged.get("timestamp").asText());
    assertThat(corrected).isBetween(now.minusSeconds(15), now.plusSeconds(5));
    assertThat(logged.get("originalTimestamp").asText()).isEqualTo(java.time.Instant.parse(ts).toString());
  }

  @Test
  void gzipBodiesAreAccepted() throws Exception {
    byte[] gz = gzip("{\"batch\":[{\"type\":\"track\",\"userId\":\"gz\",\"event\":\"Zipped\"}]}".getBytes());
    HttpResponse<Buffer> r = fx.post("/v1/batch", Buffer.buffer(gz),
        Map.of("Content-Encoding", "gzip", "Authorization", RelayFixture.basic(RelayFixture.WRITE_KEY)));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(lastLogged().get("event").asText()).isEqualTo("Zipped");
  }

  @Test
  @DisplayName("a batch with good and bad messages accepts the good ones and lists the bad with index and reason")
  void partialBatch() throws Exception {
    int before = fx.logged().size();
    HttpResponse<Buffer> r = fx.post("/v1/batch", """
        {"batch":[{"type":"track","userId":"u1","event":"Good"},
                  {"type":"track","userId":"u1"},
                  {"type":"launch","userId":"u1"},
                  {"type":"identify"}]}""", AUTH);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject body = r.bodyAsJsonObject();
    assertThat(body.getBoolean("success")).isTrue();
    JsonArray rejected = body.getJsonArray("rejected");
    assertThat(rejected).hasSize(3);
    assertThat(rejected.getJsonObject(0).getInteger("index")).isEqualTo(1);
    assertThat(rejected.getJsonObject(0).getString("error")).contains("event").contains("required");
    assertThat(rejected.getJsonObject(1).getString("error")).contains("type").contains("launch");
    assertThat(rejected.getJsonObject(2).getString("error")).contains("userId or anonymousId");
    assertThat(fx.logged()).hasSize(before + 1);
  }

  @Test
  void aBatchWithOnlyBadMessagesIs400() {
    HttpResponse<Buffer> r = fx.post("/v1/batch", "{\"batch\":[{\"type\":\"track\",\"userId\":\"u\"}]}", AUTH);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("error")).contains("event");
  }

  @Test
  void writeKeyInTheBodyAuthenticates() {
    HttpResponse<Buffer> r = fx.post("/v1/track",
        "{\"userId\":\"u\",\"event\":\"E\",\"writeKey\":\"" + RelayFixture.WRITE_KEY + "\"}", Map.of());
    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void aMissingOrUnknownWriteKeyIs401WithoutEchoingTheKey() {
    HttpResponse<Buffer> missing = fx.post("/v1/track", "{\"userId\":\"u\",\"event\":\"E\"}", Map.of());
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(missing.bodyAsJsonObject().getString("error")).contains("write key");
    HttpResponse<Buffer> unknown = fx.post("/v1/track", "{\"userId\":\"u\",\"event\":\"E\"}",
        Map.of("Authorization", RelayFixture.basic("not-a-real-key-123")));
    assertThat(unknown.statusCode()).isEqualTo(401);
    assertThat(unknown.bodyAsString()).doesNotContain("not-a-real-key-123");
  }

  @Test
  void badInputGetsAClearFourHundredAndTheRelayStaysHealthy() throws Exception {
    assertError(fx.post("/v1/track", "{\"userId\": ", AUTH), 400, "malformed JSON");
    assertError(fx.post("/v1/track", "{\"userId\":\"u\",\"event\":\"E\"}",
        Map.of("Content-Type", "text/plain", "Authorization", RelayFixture.basic(RelayFixture.WRITE_KEY))),
        415, "Content-Type");
    assertError(fx.post("/v1/batch", "{\"batch\":[{\"type\":\"delete\",\"userId\":\"u\"}]}", AUTH),
        400, "unknown type 'delete'");
    assertError(fx.post("/v1/track", "{\"userId\":\"u\",\"event\":\"E\",\"properties\":{\"x\":\""
        + "y".repeat(40_000) + "\"}}", AUTH), 400, "larger than 32768");
    assertError(fx.post("/v1/batch", Buffer.buffer(new byte[600_000]), AUTH), 413, "larger than 512000");
    StringBuilder batch = new StringBuilder("{\"batch\":[");
    for (int i = 0; i < 3000; i++) {
      batch.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\"}");
    }
    assertError(fx.post("/v1/batch", batch.append("]}").toString(), AUTH), 400, "3000 messages");
    byte[] bomb = gzip(("{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"" + "a".repeat(5_000_000)
        + "\"}]}").getBytes());
    assertThat(bomb.length).isLessThan(100_000);
    assertError(fx.post("/v1/batch", Buffer.buffer(bomb), Map.of("Content-Encoding", "gzip",
        "Authorization", RelayFixture.basic(RelayFixture.WRITE_KEY))), 413, "after gunzip");
    assertError(fx.post("/v1/track", "[".repeat(5000) + "]".repeat(5000), AUTH), 400, "nested deeper");
    assertError(fx.post("/v1/track", "[1,2]", AUTH), 400, "JSON object");
    assertError(fx.post("/v1/batch", "{\"batch\":{}}", AUTH), 400, "batch");
    assertError(fx.post("/v1/batch", Buffer.buffer("not gzip"), Map.of("Content-Encoding", "gzip",
        "Authorization", RelayFixture.basic(RelayFixture.WRITE_KEY))), 400, "gzip");
    assertThat(fx.get("/health").statusCode()).isEqualTo(200);
    assertThat(fx.get("/ready").statusCode()).isEqualTo(200);
  }

  @Test
  void unknownPathsAndWrongMethodsAreAnsweredInJsonToo() {
    assertError(fx.get("/v1/nothing-here"), 404, "no such path");
    assertError(fx.post("/nope", "{}", AUTH), 404, "no such path: POST /nope");
    HttpResponse<Buffer> get = fx.get("/v1/track");
    assertError(get, 405, "GET is not allowed on /v1/track (send POST)");
    assertThat(get.getHeader("Content-Type")).isEqualTo("application/json");
  }

  @Test
  void malformedJsonIsExplainedWithoutTheParsersInternals() {
    for (String body : List.of("{\"userId\": ", "{\"event\": broken}", "[1,", "{\"a\" \"x\"}")) {
      HttpResponse<Buffer> r = fx.post("/v1/track", body, AUTH);
      assertError(r, 400, "malformed JSON at line 1, column");
      assertThat(r.bodyAsString()).as(body).doesNotContain("StreamReadFeature")
          .doesNotContain("Source").doesNotContain("REDACTED").doesNotContain("(code ");
    }
  }

  private static void assertError(HttpResponse<Buffer> r, int status, String mentions) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    JsonObject body = r.bodyAsJsonObject();
    assertThat(body.getBoolean("success")).isFalse();
    assertThat(body.getString("error")).contains(mentions);
    assertThat(body.getString("message")).isEqualTo(body.getString("error"));
    assertThat(body.getString("code")).isNotBlank();
    assertThat(r.bodyAsString()).doesNotContain(RelayFixture.WRITE_KEY);
  }

  @Test
  void webhookTakesOneMessageOrAnArrayWithTheWriteKeyInThePathOrBasicAuth() throws Exception {
    int before = fx.logged().size();
    String one = "{\"type\":\"track\",\"userId\":\"w\",\"event\":\"Hooked\",\"messageId\":\"m-1\"}";
    HttpResponse<Buffer> r = fx.post("/webhook/" + RelayFixture.HOOK_KEY, one,
        Map.of("X-Signature", sign(one)));
    assertThat(r.statusCode()).isEqualTo(200);
    String array = "[{\"type\":\"track\",\"userId\":\"w\",\"event\":\"A\"},{\"type\":\"page\",\"userId\":\"w\"}]";
    String firstElement = "{\"type\":\"track\",\"userId\":\"w\",\"event\":\"A\"}";
    r = fx.post("/webhook", array, Map.of("Authorization", RelayFixture.basic(RelayFixture.HOOK_KEY),
        "X-Signature", sign(firstElement)));
    assertThat(r.statusCode()).as("Actions sign only the first element").isEqualTo(200);
    assertThat(fx.logged()).hasSize(before + 3);
    r = fx.post("/webhook/" + RelayFixture.WRITE_KEY, one, Map.of());
    assertThat(r.statusCode()).as("a source without a secret needs no signature").isEqualTo(200);
  }

  @Test
  void webhookSignatureIsRequiredWhenTheSourceHasASecret() throws Exception {
    String one = "{\"type\":\"track\",\"userId\":\"w\",\"event\":\"Hooked\"}";
    HttpResponse<Buffer> missing = fx.post("/webhook/" + RelayFixture.HOOK_KEY, one, Map.of());
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(missing.bodyAsJsonObject().getString("error")).contains("X-Signature");
    HttpResponse<Buffer> wrong = fx.post("/webhook/" + RelayFixture.HOOK_KEY, one,
        Map.of("X-Signature", sign(one + " ")));
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.bodyAsString()).doesNotContain(RelayFixture.HOOK_SECRET).doesNotContain(RelayFixture.HOOK_KEY);
  }

  static String sign(String body) throws Exception {
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
    mac.init(new javax.crypto.spec.SecretKeySpec(RelayFixture.HOOK_SECRET.getBytes(), "HmacSHA1"));
    return java.util.HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }

  static byte[] gzip(byte[] data) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }
}

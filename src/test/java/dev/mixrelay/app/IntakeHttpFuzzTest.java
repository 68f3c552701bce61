package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes the intake over real HTTP against a started relay: arbitrary bodies, paths, content
 * encodings, content types and credentials never get a 5xx, every 4xx carries a JSON body with a
 * non-empty {@code error}, and {@code /health} stays 200.
 */
class IntakeHttpFuzzTest {
  private static final String[] PATHS = {
      "/v1/track", "/v1/identify/", "/v1/page", "/v1/screen", "/v1/group", "/v1/alias",
      "/v1/batch", "/v1/import/", "/webhook", "/webhook/" + RelayFixture.HOOK_KEY,
      "/webhook/" + RelayFixture.WRITE_KEY, "/webhook/nobody"};
  private static final String[] TYPES = {
      "application/json", null, "application/json; charset=utf-8", "text/plain", "",
      "APPLICATION/JSON", "multipart/form-data; boundary=x", "application/x-ndjson"};
  private static final String[] ENCODINGS = {null, "", "gzip", "identity", "deflate", "GZIP "};
  private static final String[] AUTHS = {
      RelayFixture.basic(RelayFixture.WRITE_KEY), null, RelayFixture.basic(RelayFixture.HOOK_KEY),
      RelayFixture.basic("wrong"), "Basic !!!", "Basic ", "Bearer x", RelayFixture.basic(""),
      "basic " + java.util.Base64.getEncoder().encodeToString(":::".getBytes())};

  private static Path dir;
  private static RelayFixture fx;

  @BeforeAll
  static void start() throws IOException {
    dir = Files.createTempDirectory("mixrelay-http-fuzz");
    fx = new RelayFixture(dir, (String) null).startIntakeOnly();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @FuzzTest(maxDuration = "3m")
  void noBodyOrHeaderGetsA5xxAndEveryRefusalSaysWhy(FuzzedDataProvider data) throws IOException {
    String path = data.pickValue(PATHS);
    // an input that ends in zero bytes is a well-formed POST /v1/track with the right write key
    String type = data.consumeBoolean() ? headerText(data.consumeString(40))
        : data.pickValue(TYPES);
    String encoding = data.consumeBoolean() ? headerText(data.consumeString(20))
        : data.pickValue(ENCODINGS);
    String auth = data.consumeBoolean() ? headerText(data.consumeString(60))
        : data.pickValue(AUTHS);
    boolean gzipIt = data.consumeBoolean();
    byte[] body = data.consumeRemainingAsBytes();

    var req = fx.client.post(fx.relay.port(), "127.0.0.1", path);
    MultiMap h = req.headers();
    if (type != null) {
      h.set("Content-Type", type);
    }
    if (encoding != null) {
      h.set("Content-Encoding", encoding);
    }
    if (auth != null) {
      h.set("Authorization", auth);
    }
    HttpResponse<Buffer> r =
        RelayFixture.await(req.sendBuffer(Buffer.buffer(gzipIt ? gzip(body) : body)));

    assertThat(r.statusCode()).as("status for %s", r.bodyAsString()).isLessThan(500);
    if (r.statusCode() >= 400) {
      JsonObject error = new JsonObject(r.bodyAsString());
      assertThat(error.getValue("error")).isInstanceOf(String.class);
      assertThat(error.getString("error")).isNotBlank();
    }
    assertThat(fx.get("/health").statusCode()).isEqualTo(200);
  }

  /** Header values the HTTP client can send: printable ASCII. */
  private static String headerText(String s) {
    StringBuilder b = new StringBuilder(s.length());
    s.chars().filter(c -> c >= 0x20 && c < 0x7f).forEach(c -> b.append((char) c));
    return b.toString();
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }
}

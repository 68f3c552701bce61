package dev.mixrelay.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.segment.MessageNormalizer;
import dev.mixrelay.segment.MessageType;
import dev.mixrelay.segment.SegmentJson;
import dev.mixrelay.segment.SegmentMessage;
import dev.mixrelay.segment.Timestamps;
import dev.mixrelay.segment.Validation;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Fuzzes the intake's body path without HTTP: decoding (identity or gzip, under a limit), JSON
 * parsing with the Segment mapper, and validation and normalisation of every message found.
 */
class IntakeFuzzTest {
  private static final String[] ENCODINGS = {
      null, "", "identity", "IDENTITY", "gzip", " GZip ", "deflate", "br", "gzip, gzip"};
  private static final MessageType[] IMPLIED = {
      null, MessageType.TRACK, MessageType.PAGE, MessageType.SCREEN, MessageType.IDENTIFY,
      MessageType.GROUP, MessageType.ALIAS};
  private static final Instant RECEIVED_AT = Instant.parse("2026-11-23T12:00:00Z");
  private final MessageNormalizer normalizer = new MessageNormalizer(() -> "fuzz-generated-id");

  @FuzzTest(maxDuration = "3m")
  void anyBodyIsDecodedParsedAndValidatedOrRefusedWithAReason(FuzzedDataProvider data)
      throws IOException {
    String encoding = data.consumeBoolean() ? data.pickValue(ENCODINGS) : data.consumeString(20);
    int limit = data.pickValue(new int[] {16, 1024, 65_536, 512 * 1024});
    boolean gzipIt = data.consumeBoolean();
    MessageType implied = data.pickValue(IMPLIED);
    byte[] body = data.consumeRemainingAsBytes();
    byte[] wire = gzipIt ? gzip(body) : body;

    byte[] decoded;
    try {
      decoded = RequestBodies.decode(Buffer.buffer(wire), encoding, limit);
    } catch (RequestBodies.Refused r) {
      assertThat(r.error.status()).isBetween(400, 499);
      assertThat(r.error.message()).isNotBlank();
      return;
    }
    boolean inflated = encoding != null && encoding.trim().equalsIgnoreCase("gzip");
    if (inflated) {
      assertThat(decoded.length).isLessThanOrEqualTo(limit);
    }
    JsonNode root;
    try {
      root = SegmentJson.MAPPER.readTree(decoded);
    } catch (IOException e) {
      return; // malformed JSON or bytes no charset decodes: answered 400 invalid_json by the intake
    }
    if (root == null) {
      return;
    }
    ObjectNode batch = null;
    List<JsonNode> items = new ArrayList<>();
    if (root.isObject() && root.get("batch") != null && root.get("batch").isArray()) {
      batch = (ObjectNode) root;
      root.get("batch").forEach(items::add);
    } else if (root.isArray()) {
      root.forEach(items::add);
    } else {
      items.add(root);
    }
    for (JsonNode item : items) {
      JsonNode before = item.deepCopy();
      Validation v = normalizer.normalize(item, batch == null ? implied : null, batch, RECEIVED_AT);
      assertThat(item).isEqualTo(before);
      if (v instanceof Validation.Invalid bad) {
        assertThat(bad.field()).isNotBlank();
        assertThat(bad.reason()).isNotBlank();
      } else {
        var message = ((Validation.Valid) v).message();
        assertThat(message.messageId()).isNotEmpty();
        assertThat(Timestamps.parse(message.json().get("timestamp").asText()))
            .isEqualTo(Instant.ofEpochMilli(message.timestampMillis()));
        byte[] logged = SegmentJson.MAPPER.writeValueAsBytes(message.json());
        assertThat(SegmentMessage.fromNormalized((ObjectNode) SegmentJson.MAPPER.readTree(logged)))
            .as("read back from the log").isEqualTo(message);
      }
    }
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }
}

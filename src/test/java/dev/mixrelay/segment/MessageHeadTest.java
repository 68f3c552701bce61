package dev.mixrelay.segment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class MessageHeadTest {
  private static final Instant RECEIVED = Instant.parse("2026-12-07T10:00:00Z");

  /** What the tree gives for the same bytes. */
  private static MessageHead fromTree(byte[] bytes) throws Exception {
    return MessageHead.of(
        SegmentMessage.fromNormalized((ObjectNode) SegmentJson.MAPPER.readTree(bytes)));
  }

  private static byte[] bytes(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void everyGoldenInputNormalisedGivesTheTreesFields() throws Exception {
    MessageNormalizer normalizer = new MessageNormalizer(() -> "filled-id");
    List<Path> inputs;
    try (Stream<Path> files = Files.walk(Path.of("src/test/resources/golden/translate"))) {
      inputs = files.filter(p -> p.getFileName().toString().startsWith("input")).sorted()
          .toList();
    }
    int read = 0;
    for (Path input : inputs) {
      JsonNode raw = SegmentJson.MAPPER.readTree(input.toFile()).path("message");
      List<JsonNode> messages = raw.isArray() ? iterable(raw) : List.of(raw);
      for (JsonNode m : messages) {
        if (normalizer.normalize(m, null, null, RECEIVED) instanceof Validation.Valid v) {
          byte[] b = SegmentJson.MAPPER.writeValueAsBytes(v.message().json());
          assertThat(MessageHead.read(b)).as(input.toString()).isEqualTo(fromTree(b));
          read++;
        }
      }
    }
    assertThat(read).isGreaterThan(100);
  }

  private static List<JsonNode> iterable(JsonNode array) {
    List<JsonNode> out = new java.util.ArrayList<>();
    array.forEach(out::add);
    return out;
  }

  @Test
  void nestedObjectsAreSkippedAndEmptyIdsAreNone() throws Exception {
    byte[] b = bytes("""
        {"context":{"userId":"not-this","traits":{"anonymousId":"nor-this"}},"type":"track",
         "properties":{"list":[1,{"a":[]}]},"userId":"","anonymousId":"dev-1","messageId":"m-1",
         "timestamp":"2026-12-07T09:59:59.123Z","event":"Played"}""");
    MessageHead head = MessageHead.read(b);
    assertThat(head).isEqualTo(new MessageHead(MessageType.TRACK, "m-1",
        Instant.parse("2026-12-07T09:59:59.123Z").toEpochMilli(), null, "dev-1"));
    assertThat(head).isEqualTo(fromTree(b));
  }

  @Test
  void aRepeatedFieldCountsItsLastValueAsTheTreeDoes() throws Exception {
    byte[] b = bytes("{\"type\":\"track\",\"userId\":\"a\",\"messageId\":\"m\","
        + "\"timestamp\":\"2026-12-07T09:00:00Z\",\"userId\":\"b\"}");
    assertThat(MessageHead.read(b).userId()).isEqualTo("b").isEqualTo(fromTree(b).userId());
  }

  @Test
  void whatItCannotPromiseIsLeftToTheTree() {
    String ok = "\"type\":\"track\",\"messageId\":\"m\",\"timestamp\":\"2026-12-07T09:00:00Z\"";
    assertThat(MessageHead.read(bytes("{" + ok + "}"))).isNotNull();
    assertThat(MessageHead.read(bytes("{" + ok + ",\"userId\":42}"))).isNull();
    assertThat(MessageHead.read(bytes("{" + ok + ",\"anonymousId\":true}"))).isNull();
    assertThat(MessageHead.read(bytes("{" + ok + ",\"userId\":{\"id\":\"u\"}}"))).isNull();
    assertThat(MessageHead.read(bytes("{" + ok + "} {}"))).isNull();
    assertThat(MessageHead.read(bytes("{" + ok))).isNull();
    assertThat(MessageHead.read(bytes("[{" + ok + "}]"))).isNull();
    assertThat(MessageHead.read(bytes("{\"type\":\"unknown\",\"messageId\":\"m\","
        + "\"timestamp\":\"2026-12-07T09:00:00Z\"}"))).isNull();
    assertThat(MessageHead.read(bytes("{\"type\":\"track\",\"timestamp\":\"2026-12-07T09:00:00Z\"}")))
        .isNull();
    assertThat(MessageHead.read(bytes("{\"type\":\"track\",\"messageId\":\"m\"}"))).isNull();
    assertThat(MessageHead.read(bytes("not json"))).isNull();
  }
}

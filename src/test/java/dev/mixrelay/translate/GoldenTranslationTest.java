package dev.mixrelay.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.segment.MessageNormalizer;
import dev.mixrelay.segment.SegmentMessage;
import dev.mixrelay.segment.Validation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every case under {@code src/test/resources/golden/translate/<type>/<behaviour>/}:
 * {@code input.json} = {settings, message (raw Segment), optional destination, profiles
 * (remembered super properties by user key) and before (raw messages translated first, their
 * profile updates applied, e.g. an identify before a track)};
 * {@code expected.json} = the outcome (or, for a message intake refuses with a 400, that refusal). {@code -Dgolden.update=true} rewrites the expected files
 * (review the diff before committing).
 */
class GoldenTranslationTest {
  static final Path ROOT = Path.of("src/test/resources/golden/translate");
  /** The fixed arrival time every golden message is normalised with. */
  static final Instant RECEIVED_AT = Instant.parse("2024-03-01T10:00:05.000Z");
  private static final Set<String> INPUT_KEYS =
      Set.of("destination", "settings", "before", "message", "profiles");
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED)
      .build();
  /** Numbers compare by value (12 == 12.0); everything else by Jackson's equality. */
  private static final Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) -> {
    if (a.equals(b)) {
      return 0;
    }
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue());
    }
    return 1;
  };

  private final Translator translator = new Translator();

  static Stream<String> cases() throws IOException {
    try (Stream<Path> files = Files.walk(ROOT)) {
      return files.filter(p -> p.getFileName().toString().equals("input.json"))
          .map(p -> ROOT.relativize(p.getParent()).toString().replace('\\', '/'))
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void translatesAsTheGoldenFileSays(String name) throws IOException {
    Path dir = ROOT.resolve(name);
    JsonNode actual = run((ObjectNode) JSON.readTree(dir.resolve("input.json").toFile()));
    Path expectedFile = dir.resolve("expected.json");
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(expectedFile, JSON.writeValueAsString(actual) + "\n",
          StandardCharsets.UTF_8);
      return;
    }
    if (!Files.exists(expectedFile)) {
      fail("missing " + expectedFile + " (run with -Dgolden.update=true, then review it)");
    }
    JsonNode expected = JSON.readTree(expectedFile.toFile());
    if (!expected.equals(NUMBERS_BY_VALUE, actual)) {
      assertThat(JSON.writeValueAsString(actual)).isEqualTo(JSON.writeValueAsString(expected));
    }
  }

  @Test
  void theFolderHoldsAtLeastSixtyCases() throws IOException {
    assertThat(cases().count()).isGreaterThanOrEqualTo(60);
  }

  private JsonNode run(ObjectNode input) throws IOException {
    input.fieldNames().forEachRemaining(k -> assertThat(INPUT_KEYS).as("input key").contains(k));
    ObjectNode dest = JSON.createObjectNode().put("name", "golden").put("token", "T0KEN");
    if (input.get("destination") instanceof ObjectNode d) {
      dest.setAll(d);
    }
    dest.set("settings", input.has("settings") ? input.get("settings") : JSON.createObjectNode());
    DestinationConfig destination = JSON.treeToValue(dest, DestinationConfig.class);
    ObjectNode profiles =
        input.get("profiles") instanceof ObjectNode p ? p.deepCopy() : JSON.createObjectNode();
    ProfileView view = key -> profiles.get(key) instanceof ObjectNode o ? o : null;
    for (JsonNode earlier : input.path("before")) {
      Translation t = translator.translate(normalise(earlier), destination, view);
      if (t instanceof Translation.Translated tr && !tr.update().isEmpty()) {
        remember(profiles, tr.update());
      }
    }
    Validation intake = validate(input.get("message"));
    if (intake instanceof Validation.Invalid refused) {
      // what intake answers 400 never reaches translation
      return JSON.createObjectNode().put("outcome", "refused at intake")
          .put("field", refused.field()).put("reason", refused.reason());
    }
    return render(translator.translate(((Validation.Valid) intake).message(), destination, view),
        destination);
  }

  private static Validation validate(JsonNode raw) {
    return new MessageNormalizer(() -> "generated-message-id")
        .normalize(raw, null, null, RECEIVED_AT);
  }

  private static SegmentMessage normalise(JsonNode raw) {
    Validation v = validate(raw);
    if (v instanceof Validation.Invalid invalid) {
      fail("a golden message does not normalise: " + invalid.describe());
    }
    return ((Validation.Valid) v).message();
  }

  /** What the super property store does: merge, a null value forgets the key. */
  private static void remember(ObjectNode profiles, ProfileUpdate update) {
    ObjectNode user = profiles.withObject("/" + update.userKey().replace("~", "~0")
        .replace("/", "~1"));
    update.superProperties().fields().forEachRemaining(e -> {
      if (e.getValue().isNull()) {
        user.remove(e.getKey());
      } else {
        user.set(e.getKey(), e.getValue().deepCopy());
      }
    });
  }

  static ObjectNode render(Translation t, DestinationConfig destination) {
    ObjectNode out = JSON.createObjectNode();
    if (t instanceof Translation.Skipped s) {
      return out.put("outcome", "skipped").put("reason", s.reason());
    }
    if (t instanceof Translation.Invalid i) {
      return out.put("outcome", "invalid").put("field", i.field()).put("reason", i.reason());
    }
    Translation.Translated tr = (Translation.Translated) t;
    out.put("outcome", "translated");
    out.put("baseUrl", destination.baseUrl());
    out.set("records", records(tr.records()));
    if (!tr.update().isEmpty()) {
      out.putObject("profileUpdate").put("userKey", tr.update().userKey())
          .set("superProperties", tr.update().superProperties());
    }
    if (!tr.rejected().isEmpty()) {
      ArrayNode rejected = out.putArray("rejected");
      for (Translation.Rejected r : tr.rejected()) {
        ObjectNode row = rejected.addObject().put("reason", r.reason());
        row.put("endpoint", r.record().endpoint().path());
        row.put("event", r.record().eventName());
      }
    }
    if (tr.truncated() > 0) {
      out.put("truncated", tr.truncated());
    }
    return out;
  }

  private static ArrayNode records(List<MixpanelRecord> records) {
    ArrayNode out = JSON.createArrayNode();
    for (MixpanelRecord r : records) {
      out.addObject().put("endpoint", r.endpoint().path()).set("body", r.body());
    }
    return out;
  }
}

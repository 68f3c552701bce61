package dev.mixrelay.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.config.MixpanelSettings;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.segment.MessageNormalizer;
import dev.mixrelay.segment.SegmentMessage;
import dev.mixrelay.segment.Validation;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class TranslatorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DestinationConfig DESTINATION = new DestinationConfig("main", "T0KEN", null,
      null, null, null, null, MixpanelSettings.defaults(), null, null);
  private final Translator translator = new Translator();

  static SegmentMessage normalise(String json) {
    try {
      Validation v = new MessageNormalizer(() -> "generated").normalize(JSON.readTree(json), null,
          null, Instant.parse("2024-03-01T10:00:05Z"));
      return ((Validation.Valid) v).message();
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Test
  void neverChangesTheMessageItTranslates() {
    SegmentMessage m = normalise("""
        {"type":"track","messageId":"m-1","userId":"u1","anonymousId":"a1","event":"E",
         "timestamp":"2024-03-01T10:00:00Z","properties":{"long":"%s","nested":{"a":[1,2]},
         "revenue":"3.5","time":5},"context":{"ip":"1.2.3.4","userAgent":"Mozilla/5.0"}}
        """.formatted("x".repeat(300)));
    JsonNode before = m.json().deepCopy();
    Translation t = translator.translate(m, DESTINATION, ProfileView.EMPTY);
    Translation.Translated tr = (Translation.Translated) t;
    assertThat(m.json()).isEqualTo(before);
    tr.records().get(0).properties().put("long", "changed at the top level of the record");
    assertThat(m.json()).isEqualTo(before);
    assertThat(tr.truncated()).isEqualTo(1);
  }

  @Test
  void theSameMessageAlwaysGivesTheSameRecords() {
    String json = """
        {"type":"page","messageId":"m-9","anonymousId":"a1","name":"Docs","category":"Help",
         "timestamp":"2024-03-01T10:00:00Z","context":{"library":{"name":"analytics.js"}}}
        """;
    DestinationConfig each = new DestinationConfig("main", "T0KEN", null, null, null, null, null,
        new MixpanelSettings(null, null, true, true, MixpanelSettings.PageCalls.each, null, null,
            null, null, null, null, null, null, null, null, null, null, null, null), null, null);
    Translation first = translator.translate(normalise(json), each, ProfileView.EMPTY);
    Translation second = translator.translate(normalise(json), each, ProfileView.EMPTY);
    assertThat(((Translation.Translated) first).records()).hasSize(3);
    assertThat(bodies(first)).isEqualTo(bodies(second));
  }

  @Test
  void superPropertiesRememberedFromAnIdentifyReachTheUsersLaterEvents() {
    Map<String, ObjectNode> remembered = new HashMap<>();
    ProfileView view = remembered::get;
    Translation identify = translator.translate(normalise("""
        {"type":"identify","messageId":"m-1","userId":"u1","timestamp":"2024-03-01T10:00:00Z",
         "traits":{"plan":"pro","email":"ada@example.com"}}
        """), DESTINATION, view);
    ProfileUpdate update = ((Translation.Translated) identify).update();
    remembered.put(update.userKey(), update.superProperties());

    Translation track = translator.translate(normalise("""
        {"type":"track","messageId":"m-2","userId":"u1","event":"Clicked",
         "timestamp":"2024-03-01T10:01:00Z","properties":{"plan":"trial"}}
        """), DESTINATION, view);
    ObjectNode props = ((Translation.Translated) track).records().get(0).properties();
    assertThat(props.get("plan").asText()).isEqualTo("trial");
    assertThat(props.get("$email").asText()).isEqualTo("ada@example.com");
  }

  @Test
  void aBoundedNumberOfSkipReasonsIsUsed() {
    Translation t = translator.translate(normalise("""
        {"type":"group","messageId":"m-1","userId":"u1","groupId":"g","traits":{}}
        """), DESTINATION, ProfileView.EMPTY);
    assertThat(t).isEqualTo(new Translation.Skipped(Translation.Skipped.NO_GROUP_TRAIT));
  }

  @Property(tries = 300)
  void anyTrackGivesOneImportEventWithAValidInsertIdAndTheRelaysOwnIds(
      @ForAll @StringLength(min = 1, max = 40) String event,
      @ForAll @AlphaChars @StringLength(min = 1, max = 20) String userId,
      @ForAll @StringLength(max = 300) String value,
      @ForAll @StringLength(min = 1, max = 300) String key) {
    Assume.that(!event.isBlank());
    ObjectNode raw = JSON.createObjectNode().put("type", "track").put("messageId", "m-1")
        .put("userId", userId).put("event", event).put("timestamp", "2024-03-01T10:00:00Z");
    raw.putObject("properties").put(key, value).put("distinct_id", "spoofed");
    Validation v = new MessageNormalizer(() -> "g").normalize(raw, null, null,
        Instant.parse("2024-03-01T10:00:05Z"));
    Translation t = translator.translate(((Validation.Valid) v).message(), DESTINATION,
        ProfileView.EMPTY);
    if (t instanceof Translation.Invalid invalid) {
      assertThat(invalid.field()).isEqualTo("userId");
      return;
    }
    MixpanelRecord r = ((Translation.Translated) t).records().get(0);
    assertThat(r.endpoint()).isEqualTo(Endpoint.IMPORT);
    assertThat(r.insertId()).matches("[0-9a-f-]{36}");
    assertThat(r.properties().get("distinct_id").asText()).isEqualTo(userId);
    r.properties().fields().forEachRemaining(e -> {
      assertThat(e.getKey().length()).isLessThanOrEqualTo(255);
      if (e.getValue().isTextual()) {
        assertThat(e.getValue().asText().length()).isLessThanOrEqualTo(255);
      }
    });
  }

  private static Object bodies(Translation t) {
    return ((Translation.Translated) t).records().stream().map(MixpanelRecord::body).toList();
  }
}

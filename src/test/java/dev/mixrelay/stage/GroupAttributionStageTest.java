package dev.mixrelay.stage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.config.MixpanelSettings;
import dev.mixrelay.identity.SuperPropertyStore;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.segment.MessageNormalizer;
import dev.mixrelay.segment.SegmentJson;
import dev.mixrelay.segment.Validation;
import dev.mixrelay.session.SessionListener;
import dev.mixrelay.session.Sessionizer;
import dev.mixrelay.translate.Translator;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Through the message stage: a user's group calls attribute that user's later events. */
class GroupAttributionStageTest {
  private static final Instant NOW = Instant.parse("2024-03-01T10:00:05Z");
  private static final DestinationConfig DESTINATION = new DestinationConfig("main", "T0KEN",
      null, null, null, null, null, new MixpanelSettings(null, null, null, null, null, null, null,
          null, null, null, null, List.of("company_id"), null, null, null, null, null, null, null),
      null, null);

  private final MessageStage stage = new MessageStage(List.of(DESTINATION), new Translator(),
      SuperPropertyStore.inMemory(1000), null,
      d -> Sessionizer.create(d.sessions(), d.settings().insertIdNamespace(), SessionListener.NONE),
      StageListener.NONE);
  private long offset;

  private List<MixpanelRecord> process(String json) throws Exception {
    Validation v = MessageNormalizer.withRandomIds()
        .normalize(SegmentJson.MAPPER.readTree(json), null, null, NOW);
    ObjectNode message = ((Validation.Valid) v).message().json();
    Outcome out = stage.process(DESTINATION, "app", ++offset, message, null, false,
        NOW.toEpochMilli());
    return ((Outcome.Deliver) out).records();
  }

  private static JsonNode event(List<MixpanelRecord> records, String name) {
    return records.stream().filter(r -> name.equals(r.eventName())).findFirst().orElseThrow()
        .properties();
  }

  @Test
  void afterAGroupCallTheUsersLaterTrackCarriesTheGroupKeyWithTheGroupsIds() throws Exception {
    List<MixpanelRecord> before = process("""
        {"type":"track","userId":"u1","event":"Opened","timestamp":"2024-03-01T09:00:00Z"}""");
    assertThat(event(before, "Opened").has("company_id")).isFalse();

    process("""
        {"type":"group","userId":"u1","groupId":"acme","timestamp":"2024-03-01T09:01:00Z",
         "traits":{"company_id":"acme","name":"Acme"}}""");
    process("""
        {"type":"group","userId":"u1","groupId":"globex","timestamp":"2024-03-01T09:02:00Z",
         "traits":{"company_id":"globex"}}""");
    List<MixpanelRecord> after = process("""
        {"type":"track","userId":"u1","event":"Exported","timestamp":"2024-03-01T09:03:00Z"}""");

    assertThat(event(after, "Exported").get("company_id"))
        .isEqualTo(SegmentJson.MAPPER.readTree("[\"acme\",\"globex\"]"));
    List<MixpanelRecord> someoneElse = process("""
        {"type":"track","userId":"u2","event":"Exported","timestamp":"2024-03-01T09:03:00Z"}""");
    assertThat(event(someoneElse, "Exported").has("company_id")).isFalse();
  }
}

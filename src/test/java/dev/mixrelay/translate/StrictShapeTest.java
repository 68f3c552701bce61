package dev.mixrelay.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.config.MixpanelSettings;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Events whose nested properties Mixpanel's strict mode refuses are dead-lettered, never sent
 * (found by TranslationFuzzTest).
 */
class StrictShapeTest {
  private static final DestinationConfig DESTINATION = new DestinationConfig("main", "T0KEN", null,
      null, null, null, null, MixpanelSettings.defaults(), null, null);
  private final Translator translator = new Translator();

  private Translation.Translated track(String properties) {
    return (Translation.Translated) translator.translate(TranslatorTest.normalise("""
        {"type":"track","messageId":"m-1","userId":"u1","event":"E",
         "timestamp":"2024-03-01T10:00:00Z","properties":%s}""".formatted(properties)),
        DESTINATION, ProfileView.EMPTY);
  }

  @Test
  void aPropertyNestedFourLevelsDeepSetsTheEventAsideWithTheReason() {
    Translation.Translated t = track("{\"a\":{\"b\":[{\"c\":{}}]}}");
    assertThat(t.records()).isEmpty();
    assertThat(t.rejected()).singleElement().satisfies(r -> assertThat(r.reason())
        .isEqualTo("property 'a.b.c' is nested deeper than 3 levels; Mixpanel rejects the event"));
  }

  @Test
  void aPropertyNestedThreeLevelsDeepIsSent() {
    Translation.Translated t = track("{\"a\":{\"b\":[1,{\"c\":2}]}}");
    assertThat(t.rejected()).isEmpty();
    assertThat(t.records()).hasSize(1);
  }

  @Test
  void aNestedListOf255ItemsSetsTheEventAside() {
    String items = IntStream.range(0, 255).mapToObj(Integer::toString)
        .collect(Collectors.joining(",", "[", "]"));
    Translation.Translated t = track("{\"list\":" + items + "}");
    assertThat(t.records()).isEmpty();
    assertThat(t.rejected()).singleElement().satisfies(r -> assertThat(r.reason())
        .isEqualTo("property 'list' has 255 items; Mixpanel accepts fewer than 255"));
    assertThat(track("{\"list\":[1,2,3]}").records()).hasSize(1);
  }
}

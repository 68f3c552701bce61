package dev.mixrelay.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.config.MixpanelSettings;
import org.junit.jupiter.api.Test;

/**
 * Events dated far ahead of their arrival, or so early that Mixpanel would read their milliseconds
 * as seconds, are never sent (found by TranslationFuzzTest).
 */
class FutureTimestampTest {
  private static final DestinationConfig DESTINATION = new DestinationConfig("main", "T0KEN", null,
      null, null, null, null, MixpanelSettings.defaults(), null, null);
  private final Translator translator = new Translator();

  private Translation translate(String timestamp) {
    return translator.translate(TranslatorTest.normalise("""
        {"type":"identify","messageId":"m-1","userId":"u1","anonymousId":"a1",
         "timestamp":"%s"}""".formatted(timestamp)), DESTINATION, ProfileView.EMPTY);
  }

  @Test
  void aMessageDatedMoreThanAnHourAfterItArrivedIsInvalidWithAReason() {
    // TranslatorTest.normalise receives messages at 2024-03-01T10:00:05Z
    assertThat(translate("3000-01-01T00:00:00Z")).isEqualTo(new Translation.Invalid("timestamp",
        "is more than 1 hour after the relay received the message, which Mixpanel rejects"));
    assertThat(translate("2024-03-01T11:00:06Z")).isInstanceOf(Translation.Invalid.class);
  }

  @Test
  void aMessageDatedWithinTheHourAfterItArrivedIsStillTranslated() {
    assertThat(translate("2024-03-01T11:00:05Z")).isInstanceOf(Translation.Translated.class);
  }

  @Test
  void aMessageFromBeforeMarch1973IsInvalidBecauseMixpanelWouldReadItsMillisecondsAsSeconds() {
    assertThat(translate("1971-01-01T12:00:00Z")).isEqualTo(new Translation.Invalid("timestamp",
        "is before 1973-03-03T09:46:40Z, whose epoch milliseconds Mixpanel would read as seconds"));
    assertThat(translate("1973-03-03T09:46:40Z")).isInstanceOf(Translation.Translated.class);
  }
}

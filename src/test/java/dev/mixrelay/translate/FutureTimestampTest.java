package dev.mixrelay.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.config.MixpanelSettings;
import dev.mixrelay.segment.MessageNormalizer;
import dev.mixrelay.segment.SegmentJson;
import dev.mixrelay.segment.SegmentMessage;
import dev.mixrelay.segment.Validation;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Events dated far ahead of their arrival, or so early that Mixpanel would read their milliseconds
 * as seconds, are refused at intake (the sender is told) and never sent if the log holds one
 * (found by TranslationFuzzTest).
 */
class FutureTimestampTest {
  private static final DestinationConfig DESTINATION = new DestinationConfig("main", "T0KEN", null,
      null, null, null, null, MixpanelSettings.defaults(), null, null);
  private static final Instant ARRIVAL = Instant.parse("2024-03-01T10:00:05Z");
  private final Translator translator = new Translator();

  private static Validation intake(String timestamp) throws Exception {
    return new MessageNormalizer(() -> "m-1").normalize(SegmentJson.MAPPER.readTree("""
        {"type":"identify","messageId":"m-1","userId":"u1","anonymousId":"a1",
         "timestamp":"%s"}""".formatted(timestamp)), null, null, ARRIVAL);
  }

  /** A message as an older relay logged it, before intake judged its time. */
  private Translation translateLogged(String timestamp) throws Exception {
    ObjectNode json = (ObjectNode) SegmentJson.MAPPER.readTree("""
        {"type":"identify","messageId":"m-1","userId":"u1","anonymousId":"a1",
         "timestamp":"%s","receivedAt":"%s"}""".formatted(timestamp, ARRIVAL));
    return translator.translate(SegmentMessage.fromNormalized(json), DESTINATION,
        ProfileView.EMPTY);
  }

  @Test
  void aMessageDatedMoreThanAnHourAfterItArrivedIsRefusedAtIntakeWithAReason() throws Exception {
    assertThat(intake("3000-01-01T00:00:00Z")).isEqualTo(new Validation.Invalid("timestamp",
        "is more than 1 hour after the relay received the message, which Mixpanel rejects"));
    assertThat(intake("2024-03-01T11:00:06Z")).isInstanceOf(Validation.Invalid.class);
    assertThat(translateLogged("2024-03-01T11:00:06Z")).isEqualTo(new Translation.Invalid(
        "timestamp",
        "is more than 1 hour after the relay received the message, which Mixpanel rejects"));
  }

  @Test
  void aMessageDatedWithinTheHourAfterItArrivedIsStillTranslated() throws Exception {
    assertThat(intake("2024-03-01T11:00:05Z")).isInstanceOf(Validation.Valid.class);
    assertThat(translateLogged("2024-03-01T11:00:05Z"))
        .isInstanceOf(Translation.Translated.class);
  }

  @Test
  void aMessageFromBeforeMarch1973IsRefusedBecauseMixpanelWouldReadItsMillisecondsAsSeconds()
      throws Exception {
    assertThat(intake("1971-01-01T12:00:00Z")).isEqualTo(new Validation.Invalid("timestamp",
        "is before 1973-03-03T09:46:40Z, whose epoch milliseconds Mixpanel would read as seconds"));
    assertThat(intake("1973-03-03T09:46:40Z")).isInstanceOf(Validation.Valid.class);
    assertThat(translateLogged("1971-01-01T12:00:00Z")).isInstanceOf(Translation.Invalid.class);
  }
}

package dev.mixrelay.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventRulesTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

  static JsonNode event(String properties) throws Exception {
    return JSON.readTree("{\"event\":\"E\",\"properties\":{" + properties + "}}");
  }

  static EventRules.Checked importCheck(String properties) throws Exception {
    return EventRules.importEvent(event(properties), 100, 1 << 20, NOW);
  }

  @Test
  void readsTimeInSecondsOrMillisecondsAsTheSameInstant() throws Exception {
    EventRules.Checked seconds =
        importCheck("\"time\":1795000000,\"distinct_id\":\"u\",\"$insert_id\":\"a\"");
    EventRules.Checked millis =
        importCheck("\"time\":1795000000000,\"distinct_id\":\"u\",\"$insert_id\":\"a\"");
    EventRules.Checked fraction =
        importCheck("\"time\":1795000000.25,\"distinct_id\":\"u\",\"$insert_id\":\"a\"");

    assertThat(seconds)
        .isEqualTo(millis)
        .isEqualTo(new EventRules.Valid("E", "u", 1795000000000L, "a"));
    assertThat(((EventRules.Valid) fraction).timeMs()).isEqualTo(1795000000250L);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "anonymous",
        "null",
        "undefined",
        "0",
        "-1",
        "00000000-0000-0000-0000-000000000000"
      })
  void refusesPlaceholderDistinctIds(String id) throws Exception {
    EventRules.Checked c =
        importCheck("\"time\":1795000000,\"distinct_id\":\"" + id + "\",\"$insert_id\":\"a\"");

    assertThat(c).isInstanceOf(EventRules.Broken.class);
    assertThat(((EventRules.Broken) c).field()).isEqualTo("properties.distinct_id");
  }

  @Test
  void allowsAnEmptyDistinctIdAsMixpanelDoes() throws Exception {
    assertThat(importCheck("\"time\":1795000000,\"distinct_id\":\"\",\"$insert_id\":\"a\""))
        .isInstanceOf(EventRules.Valid.class);
  }

  @Test
  void takesAnInsertIdOfExactly36BytesButNot37() throws Exception {
    String ok = "a".repeat(36);
    String tooLong = "a".repeat(37);

    assertThat(
            importCheck("\"time\":1795000000,\"distinct_id\":\"u\",\"$insert_id\":\"" + ok + "\""))
        .isInstanceOf(EventRules.Valid.class);
    assertThat(
            importCheck(
                "\"time\":1795000000,\"distinct_id\":\"u\",\"$insert_id\":\"" + tooLong + "\""))
        .isEqualTo(
            new EventRules.Broken(
                "properties.$insert_id",
                "'properties.$insert_id' is invalid: must be at most 36 bytes, was 37"));
  }

  @Test
  void acceptsTimeUpToOneHourAheadOnly() throws Exception {
    long inHour = NOW.toEpochMilli() + 3_600_000;

    assertThat(importCheck("\"time\":" + inHour + ",\"distinct_id\":\"u\",\"$insert_id\":\"a\""))
        .isInstanceOf(EventRules.Valid.class);
    assertThat(
            importCheck("\"time\":" + (inHour + 1) + ",\"distinct_id\":\"u\",\"$insert_id\":\"a\""))
        .isInstanceOf(EventRules.Broken.class);
  }

  @Test
  void letsTrackOmitTimeDistinctIdAndInsertIdButNotGoBackMoreThanFiveDays() throws Exception {
    long sixDaysAgo = NOW.toEpochMilli() - 6 * 86_400_000L;

    assertThat(EventRules.trackEvent(event("\"token\":\"t\""), 10, 1 << 20, NOW))
        .isEqualTo(new EventRules.Valid("E", "", NOW.toEpochMilli(), null));
    assertThat(EventRules.trackEvent(event("\"time\":" + sixDaysAgo), 10, 1 << 20, NOW))
        .isInstanceOf(EventRules.Broken.class);
  }

  @Test
  void refusesARecordLargerThanTheLimit() throws Exception {
    assertThat(EventRules.importEvent(event("\"time\":1795000000"), 2000, 1000, NOW))
        .isEqualTo(
            new EventRules.Broken("record", "record is invalid: exceeds max size of 1000 bytes"));
  }

  @Test
  void faultsRefuseOutOfRangeValuesWithTheRuleAndTheValue() {
    assertThatThrownBy(() -> Faults.NONE.withErrorRate(1.5, 503))
        .hasMessage("errorRate must be between 0 and 1, was 1.5");
    assertThatThrownBy(() -> Faults.NONE.withScript("teapot"))
        .hasMessage(
            "script steps must be a status (200-599), ok, reset or accept-then-reset, was teapot");
  }
}

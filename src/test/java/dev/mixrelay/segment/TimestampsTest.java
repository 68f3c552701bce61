package dev.mixrelay.segment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Timestamps at the edges of time (found by IntakeFuzzTest). */
class TimestampsTest {
  private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

  @Test
  void timestampsOutsideTheYearsOneToNineThousandNineHundredNinetyNineAreNotParsed() {
    assertThat(Timestamps.parse("+999999999-12-31T23:59:59Z")).isNull();
    assertThat(Timestamps.parse("+10000-01-01T00:00:00Z")).isNull();
    assertThat(Timestamps.parse("-000001-01-01T00:00:00Z")).isNull();
    assertThat(Timestamps.parse("9999-12-31T23:59:59.999Z")).isNotNull();
    assertThat(Timestamps.parse("0001-01-01")).isNotNull();
  }

  @Test
  void controlCharactersThatTrimToNothingAreNotATimestamp() {
    assertThat(Timestamps.parse("\u0000")).isNull();
    assertThat(Timestamps.parse("\u0001\u0002")).isNull();
    assertThat(Timestamps.parse("\u0661\u0662\u0663")).isNull();
    assertThat(Timestamps.parse(" 1795435200000 ")).isEqualTo(Instant.ofEpochMilli(1795435200000L));
  }

  @Test
  void aMessageDatedInTheYearNineHundredMillionIsInvalidRatherThanAnOverflow() throws Exception {
    ObjectNode raw = (ObjectNode) SegmentJson.MAPPER.readTree("""
        {"type":"track","userId":"u1","event":"E","timestamp":"+999999999-12-31T23:59:59Z"}""");
    Validation v = new MessageNormalizer(() -> "id").normalize(raw, null, null, NOW);
    assertThat(v).isEqualTo(new Validation.Invalid("timestamp",
        "is not an ISO-8601 date-time: '+999999999-12-31T23:59:59Z'"));
  }

  @Test
  void aClientClockInTheYearOneIsCorrectedToTheTimeOfArrival() throws Exception {
    ObjectNode raw = (ObjectNode) SegmentJson.MAPPER.readTree("""
        {"type":"track","userId":"u1","event":"E","timestamp":"0001-01-01T00:00:00Z",
         "sentAt":"0001-01-01T00:00:05Z"}""");
    Validation v = new MessageNormalizer(() -> "id").normalize(raw, null, null, NOW);
    assertThat(((Validation.Valid) v).message().timestampMillis())
        .isEqualTo(NOW.minusSeconds(5).toEpochMilli());
  }

  @Test
  void aClockCorrectionThatLeavesTheYearsOneToNineThousandNineHundredNinetyNineIsInvalid()
      throws Exception {
    ObjectNode raw = (ObjectNode) SegmentJson.MAPPER.readTree("""
        {"type":"track","userId":"u1","event":"E","timestamp":"0001-01-01T00:00:00Z",
         "sentAt":"9999-12-31T23:59:59Z"}""");
    Validation v = new MessageNormalizer(() -> "id").normalize(raw, null, null, NOW);
    assertThat(v).isEqualTo(new Validation.Invalid("sentAt",
        "corrects the timestamp to a time outside the years 0001 to 9999"));
  }
}

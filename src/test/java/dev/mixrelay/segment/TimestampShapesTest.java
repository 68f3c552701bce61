package dev.mixrelay.segment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Timestamps are read as Segment reads them (JavaScript's Date through new-date/isodate). */
class TimestampShapesTest {
  private static final Instant NOW = Instant.parse("2024-03-01T10:00:05Z");

  @Test
  void everyReducedPrecisionFormIsTheStartOfItsPeriod() {
    assertThat(Timestamps.parse("2016")).isEqualTo(Instant.parse("2016-01-01T00:00:00Z"));
    assertThat(Timestamps.parse("2016-05")).isEqualTo(Instant.parse("2016-05-01T00:00:00Z"));
    assertThat(Timestamps.parse("2016-05-12")).isEqualTo(Instant.parse("2016-05-12T00:00:00Z"));
    assertThat(Timestamps.parse("20160512")).isEqualTo(Instant.parse("2016-05-12T00:00:00Z"));
    assertThat(Timestamps.parse("2016-05-12T10:20")).isEqualTo(Instant.parse("2016-05-12T10:20:00Z"));
    assertThat(Timestamps.parse("2016-05-12 10:20:30")).isEqualTo(Instant.parse("2016-05-12T10:20:30Z"));
  }

  @Test
  void offsetsAndFractionsOfAnyLengthAreRead() {
    assertThat(Timestamps.parse("2016-05-12T10:20:30.1+01:00"))
        .isEqualTo(Instant.parse("2016-05-12T09:20:30.100Z"));
    assertThat(Timestamps.parse("2016-05-12T10:20:30.123456789123-0130"))
        .isEqualTo(Instant.parse("2016-05-12T11:50:30.123Z"));
    assertThat(Timestamps.parse("2016-05-12T10:20:30,5Z"))
        .isEqualTo(Instant.parse("2016-05-12T10:20:30.500Z"));
    assertThat(Timestamps.parse("2016-05-12T10:20:30+05"))
        .isEqualTo(Instant.parse("2016-05-12T05:20:30Z"));
    assertThat(Timestamps.parse("2015-2-02T00:30:08.276Z"))
        .isEqualTo(Instant.parse("2015-02-02T00:30:08.276Z"));
  }

  @Test
  void epochDigitsAreMillisecondsOrSecondsByLength() {
    assertThat(Timestamps.parse("1457000000000")).isEqualTo(Instant.ofEpochMilli(1457000000000L));
    assertThat(Timestamps.parse("1457000000")).isEqualTo(Instant.ofEpochSecond(1457000000L));
    assertThat(Timestamps.fromEpochNumber(1457000000)).isEqualTo(Instant.ofEpochSecond(1457000000L));
    assertThat(Timestamps.fromEpochNumber(1457000000123d))
        .isEqualTo(Instant.ofEpochMilli(1457000000123L));
  }

  @Test
  void nonsenseIsNotATimestamp() {
    assertThat(Timestamps.parse("2016-13")).isNull();
    assertThat(Timestamps.parse("2016-02-30")).isNull();
    assertThat(Timestamps.parse("yesterday")).isNull();
  }

  @Test
  void aMessageWithReceivedAtKeepsItsTimestampAndItsReceivedAt() throws Exception {
    ObjectNode raw = (ObjectNode) SegmentJson.MAPPER.readTree("""
        {"type":"track","userId":"u1","event":"E","timestamp":"2024-03-01T05:00:00.100Z",
         "sentAt":"2024-03-01T05:00:09Z","receivedAt":"2024-03-01T05:00:00.200Z"}""");
    Validation v = new MessageNormalizer(() -> "id").normalize(raw, null, null, NOW);
    SegmentMessage m = ((Validation.Valid) v).message();
    assertThat(m.timestampMillis()).isEqualTo(Instant.parse("2024-03-01T05:00:00.100Z").toEpochMilli());
    assertThat(m.text("receivedAt")).isEqualTo("2024-03-01T05:00:00.200Z");
  }

  @Test
  void aLibraryMessageWithoutATimestampIsTimedAtArrivalWhateverItsSentAt() throws Exception {
    ObjectNode raw = (ObjectNode) SegmentJson.MAPPER.readTree("""
        {"type":"track","userId":"u1","event":"E","sentAt":"2020-01-01T00:00:00Z"}""");
    Validation v = new MessageNormalizer(() -> "id").normalize(raw, null, null, NOW);
    assertThat(((Validation.Valid) v).message().timestampMillis()).isEqualTo(NOW.toEpochMilli());
  }
}

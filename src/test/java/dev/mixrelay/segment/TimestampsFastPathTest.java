package dev.mixrelay.segment;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The hand-written parser and formatter agree with java.time's on every input. */
class TimestampsFastPathTest {

  @Property(tries = 5_000)
  void theFastParserAnswersLikeJavaTimeOrLeavesTheAnswerToIt(@ForAll("timestampish") String s) {
    Instant fast = Timestamps.parseCommon(s);
    if (fast != null) {
      assertThat(fast).as(s).isEqualTo(Timestamps.parseAnyShape(s));
    }
  }

  @Property(tries = 5_000)
  void theFormatterWritesWhatIsoInstantWrites(@ForAll("instants") Instant instant) {
    assertThat(Timestamps.format(instant)).isEqualTo(Timestamps.formatAnyYear(instant));
  }

  @Test
  void commonShapesTakeTheFastPath() {
    assertThat(Timestamps.parseCommon("2025-03-01T08:00:00.123Z"))
        .isEqualTo(Instant.parse("2025-03-01T08:00:00.123Z"));
    assertThat(Timestamps.parseCommon("2025-03-01T08:00:00.123456789+05:30"))
        .isEqualTo(Instant.parse("2025-03-01T02:30:00.123Z"));
    assertThat(Timestamps.parseCommon("2025-03-01T08:00:00")).isEqualTo(Instant.parse("2025-03-01T08:00:00Z"));
    assertThat(Timestamps.parseCommon("2024-02-29T23:59:59-18:00"))
        .isEqualTo(Instant.parse("2024-03-01T17:59:59Z"));
    assertThat(Timestamps.parseCommon("2025-02-29T00:00:00Z")).isNull();
    assertThat(Timestamps.parseCommon("2025-03-01t08:00:00Z")).isNull();
    assertThat(Timestamps.parse("2025-02-29T00:00:00Z")).isNull();
    assertThat(Timestamps.format(Instant.parse("2025-03-01T08:00:00.000999Z")))
        .isEqualTo("2025-03-01T08:00:00Z");
  }

  @Provide
  Arbitrary<String> timestampish() {
    Arbitrary<String> year = Arbitraries.of("0000", "0001", "1900", "1969", "1970", "2024", "2025",
        "2100", "9999", "99a9");
    Arbitrary<String> two = Arbitraries.integers().between(0, 99).map(i -> String.format("%02d", i));
    Arbitrary<String> fraction = Arbitraries.of("", ".", ".1", ".12", ".123", ".123456",
        ".123456789", ".1234567890", ".x");
    Arbitrary<String> zone = Arbitraries.of("", "Z", "z", "+00:00", "-00:00", "+05:30", "-18:00",
        "+18:00", "+18:01", "+19:00", "+0530", "+05", "+05:30:15", "-12:60", " ", "ZZ");
    Arbitrary<String> sep = Arbitraries.of("T", "T", "T", "t", " ");
    Arbitrary<String> built = Combinators.combine(year, two, two, sep, two, two, two,
        Combinators.combine(fraction, zone).as((f, z) -> f + z))
        .as((y, mo, d, t, h, mi, s, rest) -> y + "-" + mo + "-" + d + t + h + ":" + mi + ":" + s + rest);
    Arbitrary<String> sane = Combinators.combine(year, Arbitraries.integers().between(1, 12),
        Arbitraries.integers().between(1, 31), Arbitraries.integers().between(0, 23), fraction, zone)
        .as((y, mo, d, h, f, z) -> String.format("%s-%02d-%02dT%02d:30:59%s%s", y, mo, d, h, f, z));
    return Arbitraries.oneOf(built, sane, sane, Arbitraries.strings().ofMaxLength(30));
  }

  @Provide
  Arbitrary<Instant> instants() {
    return Arbitraries.longs().between(-62_200_000_000_000L, 253_500_000_000_000L)
        .flatMap(ms -> Arbitraries.integers().between(0, 999_999)
            .map(ns -> Instant.ofEpochMilli(ms).plusNanos(ns)));
  }
}

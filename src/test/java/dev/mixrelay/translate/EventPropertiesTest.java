package dev.mixrelay.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EventPropertiesTest {

  @Test
  void theFastReservedCheckAgreesWithTheReservedSet() {
    for (String key : EventProperties.RESERVED) {
      assertThat(EventProperties.reserved(key)).as(key).isTrue();
    }
    for (String key : List.of("", "Time", "times", "tokens", "$user", "$insert_ix", "$device_ix",
        "distinct_ix", "ip", "$os", "distinct", "$identified_id")) {
      assertThat(EventProperties.reserved(key)).as(key).isFalse();
    }
  }

  @Test
  void cuttingNeverSplitsASurrogatePair() {
    String s = "a".repeat(254) + "🙂" + "b";
    assertThat(Limits.cut(s)).hasSize(254).isEqualTo("a".repeat(254));
    assertThat(Limits.cut("c".repeat(300))).hasSize(255);
  }
}

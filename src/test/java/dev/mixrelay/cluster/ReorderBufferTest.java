package dev.mixrelay.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The kept records' store keys: the format records kept by an earlier version were stored under. */
class ReorderBufferTest {
  @Test
  void idsAreSixteenHexDigitsPerPartAsBeforeSoKeptRecordsKeepTheirOrder() {
    Random r = new Random(19);
    for (int i = 0; i < 10_000; i++) {
      long a = i % 3 == 0 ? r.nextLong() : r.nextLong() >>> r.nextInt(64);
      long b = r.nextInt(5) == 0 ? -1 : r.nextLong() >>> r.nextInt(64);
      long c = r.nextLong() >>> r.nextInt(64);
      assertThat(ReorderBuffer.id(a, b, c)).isEqualTo(String.format("%016x/%016x/%016x",
          Math.max(0, a), Math.max(0, b), Math.max(0, c)));
    }
    assertThat(ReorderBuffer.id(1, 2, 3).compareTo(ReorderBuffer.id(1, 10, 0))).isNegative();
  }
}

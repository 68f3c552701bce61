package dev.mixrelay.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-memory tail answers only when it holds every message from the reader's position. */
class RecentMessagesTest {

  private static StoredMessage m(long offset) {
    return new StoredMessage(offset, "s", new byte[10], 0);
  }

  private static List<Long> offsets(List<StoredMessage> ms) {
    return ms.stream().map(StoredMessage::offset).toList();
  }

  @Test
  void aReaderLevelWithTheTailIsAnsweredFromMemoryUpToItsMaximum() {
    RecentMessages recent = new RecentMessages(100, 1 << 20);
    for (long o = 11; o <= 15; o++) {
      recent.add(m(o));
    }
    assertThat(offsets(recent.after(10, 3))).containsExactly(11L, 12L, 13L);
    assertThat(offsets(recent.after(13, 10))).containsExactly(14L, 15L);
  }

  @Test
  void aReaderBehindTheTailOrAheadOfItGoesToDisk() {
    RecentMessages recent = new RecentMessages(100, 1 << 20);
    for (long o = 11; o <= 15; o++) {
      recent.add(m(o));
    }
    assertThat(recent.after(9, 10)).isNull();
    assertThat(recent.after(16, 10)).isNull();
    assertThat(new RecentMessages(100, 1 << 20).after(15, 10)).isNull();
  }

  @Test
  void aReaderLevelWithTheNewestIsToldThereIsNothingNewWithoutADiskRead() {
    // a reader that keeps up polls while level: the disk could only answer with rows committed
    // but not yet added here, without their trees, so they would be parsed a second time
    RecentMessages recent = new RecentMessages(100, 1 << 20);
    for (long o = 11; o <= 15; o++) {
      recent.add(m(o));
    }
    assertThat(offsets(recent.after(10, 10))).containsExactly(11L, 12L, 13L, 14L, 15L);
    assertThat(recent.after(15, 10)).isEmpty();
    recent.add(m(16));
    assertThat(offsets(recent.after(15, 10))).containsExactly(16L);
  }

  @Test
  void aGapInOffsetsStartsAFreshRunAndBoundsPushOutTheOldest() {
    RecentMessages recent = new RecentMessages(3, 1 << 20);
    recent.add(m(1));
    recent.add(m(2));
    recent.add(m(5));
    assertThat(recent.after(1, 10)).isNull();
    assertThat(offsets(recent.after(4, 10))).containsExactly(5L);
    for (long o = 6; o <= 9; o++) {
      recent.add(m(o));
    }
    assertThat(recent.after(5, 10)).isNull();
    assertThat(offsets(recent.after(6, 10))).containsExactly(7L, 8L, 9L);
    RecentMessages small = new RecentMessages(100, 25);
    small.add(m(1));
    small.add(m(2));
    small.add(m(3));
    assertThat(offsets(small.after(1, 10))).containsExactly(2L, 3L);
  }
}

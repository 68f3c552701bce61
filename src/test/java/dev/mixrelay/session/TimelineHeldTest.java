package dev.mixrelay.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A timeline's held events come out oldest first (time, then arrival), however they went in. */
class TimelineHeldTest {
  private static final Comparator<SessionEvent> ORDER =
      Comparator.comparingLong(SessionEvent::time).thenComparingLong(SessionEvent::seq);

  private static SessionEvent event(long time, long seq) {
    return new SessionEvent(time, seq, seq, 0, "e", "u", null, "u", null, null, false, 0, 0, null,
        null);
  }

  @Test
  void holdsAndPollsInterleavedAgreeWithAPriorityQueue() {
    Random r = new Random(7);
    Sessionizer.Timeline tl = new Sessionizer.Timeline("u");
    PriorityQueue<SessionEvent> reference = new PriorityQueue<>(ORDER);
    long seq = 0;
    for (int step = 0; step < 50_000; step++) {
      if (r.nextInt(5) < 3 || reference.isEmpty()) { // equal times are common: seq decides
        SessionEvent e = event(r.nextInt(40), seq++);
        tl.hold(e);
        reference.add(e);
      } else {
        assertThat(tl.pollOldest()).isSameAs(reference.poll());
      }
      assertThat(tl.oldest()).isSameAs(reference.peek());
      assertThat(tl.holds()).isEqualTo(!reference.isEmpty());
      assertThat(tl.heldEvents()).hasSize(reference.size());
    }
    while (!reference.isEmpty()) {
      assertThat(tl.pollOldest()).isSameAs(reference.poll());
    }
    assertThat(tl.holds()).isFalse();
    assertThat(tl.pollOldest()).isNull();
  }

  @Test
  void aJoiningTimelinesEventsMergeInOrder() {
    Sessionizer.Timeline user = new Sessionizer.Timeline("u");
    Sessionizer.Timeline device = new Sessionizer.Timeline("$device:d");
    List<SessionEvent> all = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      SessionEvent e = event(100 - i * 7 % 30, i);
      (i % 3 == 0 ? user : device).hold(e);
      all.add(e);
    }
    user.holdAll(device);
    assertThat(device.holds()).isFalse();
    assertThat(device.heldEvents()).isEmpty();
    all.sort(ORDER);
    List<SessionEvent> out = new ArrayList<>();
    while (user.holds()) {
      out.add(user.pollOldest());
    }
    assertThat(out).containsExactlyElementsOf(all);
  }
}

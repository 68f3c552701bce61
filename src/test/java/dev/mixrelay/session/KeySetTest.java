package dev.mixrelay.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeySetTest {

  /**
   * Random adds, removes and lookups agree with a HashSet all along: keys drawn from a small pool
   * whose low bits collide often (long probe runs that wrap around the table's end, removals
   * in the middle of a run), through growth from 16 slots to thousands.
   */
  @Test
  void agreesWithAHashSetUnderRandomAddsAndRemoves() {
    Random r = new Random(19);
    List<long[]> pool = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      // lo: few distinct low bits, so keys share home slots; hi tells them apart
      long lo = (r.nextInt(64) | ((long) r.nextInt(4) << 40)) + 1;
      pool.add(new long[] {r.nextLong(), lo});
    }
    KeySet set = new KeySet();
    Set<List<Long>> reference = new HashSet<>();
    for (int step = 0; step < 200_000; step++) {
      long[] k = pool.get(r.nextInt(step < 100_000 ? pool.size() : 300));
      List<Long> key = List.of(k[0], k[1]);
      switch (r.nextInt(3)) {
        case 0 -> assertThat(set.add(k[0], k[1])).isEqualTo(reference.add(key));
        case 1 -> assertThat(set.remove(k[0], k[1])).isEqualTo(reference.remove(key));
        default -> assertThat(set.contains(k[0], k[1])).isEqualTo(reference.contains(key));
      }
      assertThat(set.size()).isEqualTo(reference.size());
    }
    for (long[] k : pool) {
      assertThat(set.contains(k[0], k[1])).isEqualTo(reference.contains(List.of(k[0], k[1])));
    }
  }

  @Test
  void zeroZeroIsNoKeyAndClearEmptiesTheSet() {
    KeySet set = new KeySet();
    assertThatThrownBy(() -> set.add(0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(set.add(0, 7)).isTrue();
    assertThat(set.add(7, 0)).isTrue();
    assertThat(set.contains(0, 7)).isTrue();
    assertThat(set.contains(0, 0)).isFalse();
    set.clear();
    assertThat(set.size()).isZero();
    assertThat(set.contains(0, 7)).isFalse();
  }
}

package dev.mixrelay.session;

/**
 * A set of 128-bit {@link DedupKey}s (the held events' keys), open addressing with linear probing
 * over one {@code long[]} of (hi, lo) pairs, (0, 0) marking a free slot. About 28 B per key where
 * a {@code HashSet<String>} took about 40 B for its node and table slot besides the key's String
 * (64 B), and no object per key for the collector to trace. Written here because no library the
 * relay uses has a set of two-long keys. Single-threaded.
 */
final class KeySet {
  private static final int MIN_SLOTS = 16;
  private long[] slots = new long[MIN_SLOTS * 2];
  private int mask = MIN_SLOTS - 1;
  private int size;

  int size() {
    return size;
  }

  boolean contains(long hi, long lo) {
    return find(hi, lo) >= 0;
  }

  /** Adds the key (not (0, 0)); false when it was there. */
  boolean add(long hi, long lo) {
    if (hi == 0 && lo == 0) {
      throw new IllegalArgumentException("(0, 0) is no key");
    }
    int i = home(lo);
    while (!free(i)) {
      if (slots[2 * i] == hi && slots[2 * i + 1] == lo) {
        return false;
      }
      i = (i + 1) & mask;
    }
    slots[2 * i] = hi;
    slots[2 * i + 1] = lo;
    if (++size > (mask + 1) * 3L / 4) {
      resize((mask + 1) * 2);
    }
    return true;
  }

  /** Removes the key; false when it was not there. */
  boolean remove(long hi, long lo) {
    int i = find(hi, lo);
    if (i < 0) {
      return false;
    }
    size--;
    // backward-shift deletion: the keys after it in its run move up so no search stops early
    while (true) {
      int j = i;
      while (true) {
        j = (j + 1) & mask;
        if (free(j)) {
          slots[2 * i] = 0;
          slots[2 * i + 1] = 0;
          return true;
        }
        int k = home(slots[2 * j + 1]);
        boolean staysAfterGap = i <= j ? i < k && k <= j : i < k || k <= j;
        if (!staysAfterGap) {
          break;
        }
      }
      slots[2 * i] = slots[2 * j];
      slots[2 * i + 1] = slots[2 * j + 1];
      i = j;
    }
  }

  void clear() {
    slots = new long[MIN_SLOTS * 2];
    mask = MIN_SLOTS - 1;
    size = 0;
  }

  private int find(long hi, long lo) {
    int i = home(lo);
    while (!free(i)) {
      if (slots[2 * i] == hi && slots[2 * i + 1] == lo) {
        return i;
      }
      i = (i + 1) & mask;
    }
    return -1;
  }

  private boolean free(int i) {
    return slots[2 * i] == 0 && slots[2 * i + 1] == 0;
  }

  /** The low bits of a key are SHA-256 bits: well spread as they are. */
  private int home(long lo) {
    return (int) (lo ^ (lo >>> 32)) & mask;
  }

  private void resize(int slotCount) {
    long[] old = slots;
    slots = new long[slotCount * 2];
    mask = slotCount - 1;
    for (int i = 0; i < old.length; i += 2) {
      if (old[i] != 0 || old[i + 1] != 0) {
        int j = home(old[i + 1]);
        while (!free(j)) {
          j = (j + 1) & mask;
        }
        slots[2 * j] = old[i];
        slots[2 * j + 1] = old[i + 1];
      }
    }
  }
}

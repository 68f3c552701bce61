package dev.mixrelay.log;

/**
 * A blocked Bloom filter of 64-bit id hashes: the messageId window's fast path in front of its
 * exact check. {@link #mightContain} is false only for a hash never added, so a "no" skips the
 * disk and a "maybe" asks it; the filter never decides a duplicate on its own.
 *
 * <p>Each hash sets {@value #K} bits in one 512-bit block (one cache line), so a query costs one
 * memory access; at {@value #BITS_PER_ID} bits per id of its capacity about 1 % of queries for
 * absent ids answer "maybe". Not thread-safe: the log's writer thread owns it.
 */
final class IdFilter {
  static final int BITS_PER_ID = 10;
  private static final int K = 7;
  private final long[] words;
  private final int blocks;
  private final long capacity;

  /** A filter sized for {@code capacity} ids. */
  IdFilter(long capacity) {
    this.capacity = Math.max(1, capacity);
    long bits = Math.max(512, this.capacity * BITS_PER_ID);
    long b = Math.min((bits + 511) / 512, Integer.MAX_VALUE / 8);
    this.blocks = (int) b;
    this.words = new long[blocks * 8];
  }

  long capacity() {
    return capacity;
  }

  /** Heap the filter's bits take, in bytes. */
  long bytes() {
    return words.length * 8L;
  }

  void add(long hash) {
    int base = block(hash);
    long h = hash;
    for (int i = 0; i < K; i++) {
      h = next(h);
      int bit = (int) (h >>> 55); // 9 bits: 0..511 in the block
      words[base + (bit >>> 6)] |= 1L << bit;
    }
  }

  boolean mightContain(long hash) {
    int base = block(hash);
    long h = hash;
    for (int i = 0; i < K; i++) {
      h = next(h);
      int bit = (int) (h >>> 55);
      if ((words[base + (bit >>> 6)] & (1L << bit)) == 0) {
        return false;
      }
    }
    return true;
  }

  private int block(long hash) {
    return (int) (((hash & 0xffffffffL) * blocks) >>> 32) * 8;
  }

  /** The next of a sequence of well-mixed values derived from one hash (a splitmix64 step). */
  private static long next(long h) {
    long z = h + 0x9e3779b97f4a7c15L;
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /**
   * A 64-bit hash of a window key: FNV-1a over the bytes, then a splitmix64 finalizer so every
   * output bit depends on every input byte. Not cryptographic: a collision only costs a disk
   * lookup, because the exact check compares the whole key.
   */
  static long hash(byte[] key) {
    long h = 0xcbf29ce484222325L;
    for (byte b : key) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return next(h);
  }
}

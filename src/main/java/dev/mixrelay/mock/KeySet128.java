package dev.mixrelay.mock;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * An open-addressing map from 128-bit keys (an MD5 of the identifying fields) to an int, about 20
 * bytes per entry, so a mock can remember millions of de-duplication keys. Not thread-safe: {@link
 * RecordStore} guards it.
 */
final class KeySet128 {

  private static final ThreadLocal<MessageDigest> MD5 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("MD5");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("the JRE has no MD5", e);
            }
          });

  /** A 128-bit key; (0, 0) is never produced. */
  record Key(long hi, long lo) {}

  private long[] his;
  private long[] los;
  private int[] values;
  private int size;

  KeySet128() {
    clear();
  }

  /** The key of these parts (separated so that ("ab","c") and ("a","bc") differ). */
  static Key keyOf(String... parts) {
    MessageDigest md = MD5.get();
    for (String part : parts) {
      md.update(part.getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
    }
    ByteBuffer b = ByteBuffer.wrap(md.digest());
    long hi = b.getLong();
    long lo = b.getLong();
    return hi == 0 && lo == 0 ? new Key(0, 1) : new Key(hi, lo);
  }

  void clear() {
    his = new long[1024];
    los = new long[1024];
    values = new int[1024];
    size = 0;
  }

  int size() {
    return size;
  }

  /** The value stored for the key, or {@code Integer.MIN_VALUE} when absent. */
  int get(Key k) {
    int i = slot(his, los, k);
    return his[i] == 0 && los[i] == 0 ? Integer.MIN_VALUE : values[i];
  }

  /** Stores the key unless present; returns true when it was added. */
  boolean putIfAbsent(Key k, int value) {
    int i = slot(his, los, k);
    if (his[i] != 0 || los[i] != 0) {
      return false;
    }
    his[i] = k.hi();
    los[i] = k.lo();
    values[i] = value;
    if (++size * 10L > his.length * 6L) {
      grow();
    }
    return true;
  }

  private static int slot(long[] his, long[] los, Key k) {
    int mask = his.length - 1;
    int i = (int) (k.lo() ^ (k.lo() >>> 32)) & mask;
    while (his[i] != 0 || los[i] != 0) {
      if (his[i] == k.hi() && los[i] == k.lo()) {
        return i;
      }
      i = (i + 1) & mask;
    }
    return i;
  }

  private void grow() {
    long[] oldHi = his;
    long[] oldLo = los;
    int[] oldValues = values;
    his = new long[oldHi.length * 2];
    los = new long[oldHi.length * 2];
    values = new int[oldHi.length * 2];
    for (int j = 0; j < oldHi.length; j++) {
      if (oldHi[j] != 0 || oldLo[j] != 0) {
        int i = slot(his, los, new Key(oldHi[j], oldLo[j]));
        his[i] = oldHi[j];
        los[i] = oldLo[j];
        values[i] = oldValues[j];
      }
    }
    Arrays.fill(oldHi, 0);
  }
}

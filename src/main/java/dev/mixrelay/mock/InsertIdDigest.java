package dev.mixrelay.mock;

/**
 * An order-independent digest of a set of {@code $insert_id}s: how many, and the wrapping sums of
 * the two halves of each id's MD5. A test compares millions of ids the mock received with the ids
 * it expected without listing them. Not thread-safe.
 */
public final class InsertIdDigest {
  private long count;
  private long hi;
  private long lo;

  /** Adds one id; add each distinct id once (the mock adds an id the first time it sees it). */
  public void add(String insertId) {
    add(KeySet128.keyOf(insertId));
  }

  void add(KeySet128.Key key) {
    count++;
    hi += key.hi();
    lo += key.lo();
  }

  /** How many ids were added. */
  public long count() {
    return count;
  }

  /** {@code count:32 hex digits}; equal for equal sets, whatever the order they were added in. */
  public String value() {
    return count + ":" + String.format("%016x%016x", hi, lo);
  }

  /** The count part of a {@link #value()}. */
  public static long countOf(String value) {
    return Long.parseLong(value.substring(0, value.indexOf(':')));
  }
}

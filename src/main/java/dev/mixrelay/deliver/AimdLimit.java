package dev.mixrelay.deliver;

/**
 * An additive-increase / multiplicative-decrease concurrency limit between 1 and a cap: +1 per
 * window of successful requests while the limit is in use, halved on overload (429, timeout).
 * One overload halves the limit once: requests started before the last decrease are ignored.
 * Not thread-safe; used on delivery's event loop.
 */
final class AimdLimit {
  private final int max;
  private double limit;
  private long epoch;

  AimdLimit(int initial, int max) {
    this.max = max;
    this.limit = Math.max(1, Math.min(initial, max));
  }

  /** Requests that may be in flight now. */
  int current() {
    return (int) limit;
  }

  /** The generation a request starts in; pass it back to {@link #onOverload}. */
  long epoch() {
    return epoch;
  }

  /** A request succeeded; {@code inFlight} counts it and the others in flight when it started. */
  boolean onSuccess(int inFlight) {
    int before = current();
    if (inFlight >= before) {
      limit = Math.min(max, limit + 1.0 / limit);
    }
    return current() != before;
  }

  /** A request that started in {@code requestEpoch} met overload; returns true if the limit moved. */
  boolean onOverload(long requestEpoch) {
    if (requestEpoch != epoch) {
      return false;
    }
    int before = current();
    limit = Math.max(1, limit / 2);
    epoch++;
    return current() != before;
  }
}

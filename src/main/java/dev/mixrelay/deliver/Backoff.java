package dev.mixrelay.deliver;

import java.time.Duration;

/**
 * Exponential backoff with jitter as a pure function: {@code initial} doubling per attempt up to
 * {@code max}, plus up to 25 % random jitter so that batches failing together spread out.
 */
final class Backoff {
  private final Duration initial;
  private final Duration max;

  Backoff(Duration initial, Duration max) {
    this.initial = initial;
    this.max = max;
  }

  /**
   * The wait before retry number {@code attempt} (1 for the first retry).
   *
   * @param random a value in [0, 1)
   */
  Duration delay(int attempt, double random) {
    long maxMs = max.toMillis();
    long base = initial.toMillis();
    for (int i = 1; i < attempt && base < maxMs; i++) {
      base *= 2;
    }
    base = Math.min(base, maxMs);
    return Duration.ofMillis(base + (long) (base * 0.25 * random));
  }

  /** The slow probe interval used while a destination's credentials are refused. */
  Duration slow() {
    return max;
  }
}

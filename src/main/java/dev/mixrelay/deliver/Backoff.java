package dev.mixrelay.deliver;

import io.github.resilience4j.core.IntervalFunction;
import java.time.Duration;

/**
 * The retry wait of a batch as a pure function: Resilience4j's exponential interval
 * ({@code initial} doubling per attempt, capped at {@code max}) plus up to 25 % upward jitter, so
 * that batches failing together spread out, also once the cap is reached.
 *
 * <p>The jitter is added here rather than by {@link IntervalFunction#ofExponentialRandomBackoff}
 * because that one randomizes symmetrically (waits shorter than the interval) and before the cap
 * (no spread at the cap), and draws its own random numbers.
 */
final class Backoff {
  private static final double MULTIPLIER = 2.0;
  private static final double JITTER = 0.25;

  private final IntervalFunction interval;
  private final Duration max;

  Backoff(Duration initial, Duration max) {
    this.interval = IntervalFunction.ofExponentialBackoff(initial, MULTIPLIER, max);
    this.max = max;
  }

  /**
   * The wait before retry number {@code attempt} (1 for the first retry): between the interval
   * and 1.25 times it.
   *
   * @param random a value in [0, 1)
   */
  Duration delay(int attempt, double random) {
    long base = interval.apply(attempt);
    return Duration.ofMillis(base + (long) (base * JITTER * random));
  }

  /** The slow probe interval used while a destination's credentials are refused. */
  Duration slow() {
    return max;
  }
}

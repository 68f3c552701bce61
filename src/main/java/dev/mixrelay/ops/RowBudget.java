package dev.mixrelay.ops;

/**
 * A token bucket of debugger rows: {@code perSecond} a second, at most a second's worth at once,
 * so a burst of a few test messages is shown whole while a heavy stream is sampled evenly across
 * each second rather than by its first messages. Not thread-safe: callers hold a lock.
 */
final class RowBudget {
  private final int perSecond;
  private double tokens;
  private long lastMillis = Long.MIN_VALUE;

  RowBudget(int perSecond) {
    this.perSecond = perSecond;
    this.tokens = perSecond;
  }

  /** Takes one row from the budget if it has one at {@code nowMillis}. */
  boolean take(long nowMillis) {
    if (lastMillis != Long.MIN_VALUE && nowMillis > lastMillis) {
      tokens = Math.min(perSecond, tokens + (nowMillis - lastMillis) * perSecond / 1000.0);
    }
    lastMillis = Math.max(lastMillis, nowMillis);
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }
}

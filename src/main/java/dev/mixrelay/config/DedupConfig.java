package dev.mixrelay.config;

import java.time.Duration;

/**
 * The messageId de-duplication window: a message whose {@code (source, messageId)} was accepted
 * within {@code window} is answered as accepted and not appended again (as Segment drops repeats
 * within about 24 hours). {@code maxIds} bounds the ids remembered: past it the oldest are
 * forgotten early (counted). {@code window: 0s} turns the check off.
 */
public record DedupConfig(Duration window, Long maxIds) {
  /** 1,000 events/s for 24 hours is 86.4 million ids; the default keeps that with room. */
  public static final long DEFAULT_MAX_IDS = 100_000_000L;

  public DedupConfig {
    window = window == null ? Duration.ofHours(24) : window;
    maxIds = maxIds == null ? DEFAULT_MAX_IDS : maxIds;
  }

  public static DedupConfig defaults() {
    return new DedupConfig(null, null);
  }

  /** True when the window is on. */
  public boolean enabled() {
    return !window.isZero();
  }

  void check(String path, Checks c) {
    c.between(window, Duration.ZERO, Duration.ofDays(30), path + ".window");
    c.range(maxIds, 1, 10_000_000_000L, path + ".maxIds");
  }
}

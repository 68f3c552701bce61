package dev.mixrelay.session;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Device (or original-mode anonymous) id → user id links, least recently used dropped beyond a
 * bound. Deterministic: the same calls in the same order keep the same links, and a snapshot
 * written in iteration order and read back in that order keeps the same recency.
 */
final class Links extends LinkedHashMap<String, String> {
  private static final long serialVersionUID = 1L;
  private final long max;

  Links(long max) {
    super(16, 0.75f, true);
    this.max = max;
  }

  @Override
  protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
    return size() > max;
  }
}

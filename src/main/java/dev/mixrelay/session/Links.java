package dev.mixrelay.session;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Device (or original-mode anonymous) id → user id links, least recently used dropped beyond a
 * bound. Deterministic: the same calls in the same order keep the same links, and a snapshot
 * written in iteration order and read back in that order keeps the same recency. Every read,
 * addition and drop is told to {@link Changes} (a read moves the link to the newest).
 */
final class Links extends LinkedHashMap<String, String> {
  private static final long serialVersionUID = 1L;
  private final long max;
  private final transient Changes changes;

  Links(long max, Changes changes) {
    super(16, 0.75f, true);
    this.max = max;
    this.changes = changes;
  }

  @Override
  public String get(Object device) {
    String user = super.get(device);
    if (user != null && changes.on) {
      changes.link((String) device, user);
    }
    return user;
  }

  @Override
  public String put(String device, String user) {
    String before = super.put(device, user);
    changes.link(device, user);
    return before;
  }

  @Override
  protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
    if (size() <= max) {
      return false;
    }
    changes.link(eldest.getKey(), null);
    return true;
  }
}

package dev.mixrelay.ingest;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the operator about refused requests and messages without a line per message: the first
 * refusal after a quiet minute is logged at once (WARN, source and reason code), then refusals
 * are counted per source and reason and summarised at most once a minute. Passes every call on
 * to the listener it wraps. Sources are config names and reasons stable codes, never user data.
 */
final class RejectionSummary implements IntakeListener {
  private static final Logger LOG = LoggerFactory.getLogger(IntakeRoutes.class);
  static final Duration EVERY = Duration.ofMinutes(1);

  private final IntakeListener next;
  private final Clock clock;
  private final Map<String, Long> counts = new TreeMap<>();
  private long windowStart = Long.MIN_VALUE;

  RejectionSummary(IntakeListener next, Clock clock) {
    this.next = next;
    this.clock = clock;
  }

  @Override
  public void accepted(String source, String type) {
    next.accepted(source, type);
  }

  @Override
  public void duplicate(String source, String type) {
    next.duplicate(source, type);
  }

  @Override
  public void backPressure(boolean on) {
    next.backPressure(on);
  }

  /** Logs the counted refusals once their minute is over, even when no refusal follows. */
  void summariseDue() {
    String line;
    synchronized (this) {
      long now = clock.millis();
      if (counts.isEmpty() || now - windowStart < EVERY.toMillis()) {
        return;
      }
      line = summary(now);
    }
    LOG.warn(line);
  }

  /** The summary line of the counted refusals; starts the next minute. Holds the lock. */
  private String summary(long now) {
    long total = counts.values().stream().mapToLong(Long::longValue).sum();
    String line = "intake refused " + total + " message(s) or request(s) in the last "
        + Math.max(1, (now - windowStart) / 60_000) + " min: " + counts.entrySet().stream()
        .map(e -> e.getKey() + " x" + e.getValue()).collect(Collectors.joining(", "));
    counts.clear();
    windowStart = now;
    return line;
  }

  @Override
  public void rejected(String source, String reason) {
    next.rejected(source, reason);
    String line = null;
    synchronized (this) {
      long now = clock.millis();
      if (windowStart == Long.MIN_VALUE || now - windowStart >= 2 * EVERY.toMillis()
          && counts.isEmpty()) {
        windowStart = now;
        line = "intake refused a message (source " + source + ", reason " + reason + "); further"
            + " refusals are summarised at most once a minute";
      } else {
        counts.merge("source " + source + " " + reason, 1L, Long::sum);
        if (now - windowStart >= EVERY.toMillis()) {
          line = summary(now);
        }
      }
    }
    if (line != null) {
      LOG.warn(line);
    }
  }
}

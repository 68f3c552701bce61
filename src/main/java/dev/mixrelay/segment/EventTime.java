package dev.mixrelay.segment;

/**
 * The event times Mixpanel refuses, judged once at intake (so the sender is told) and again by
 * translation (for messages logged before the rule existed): before 1971, so early that Mixpanel
 * would read the epoch milliseconds as seconds, or more than an hour after the message arrived.
 */
public final class EventTime {
  /** Mixpanel rejects event times before 1971-01-01 (epoch milliseconds). */
  public static final long EARLIEST_MILLIS = 31_536_000_000L;
  /** Below 10^11, Mixpanel reads a time as epoch seconds (1973-03-03T09:46:40Z). */
  public static final long SECONDS_BELOW = 100_000_000_000L;
  /** Mixpanel rejects event times more than an hour ahead of its clock. */
  public static final long MAX_AHEAD_MILLIS = 3_600_000L;

  private EventTime() {}

  /**
   * Why Mixpanel would refuse an event at {@code timestampMillis} received at
   * {@code receivedMillis}, as the reason for the field {@code timestamp}; null when it is fine.
   */
  public static String refusal(long timestampMillis, long receivedMillis) {
    if (timestampMillis < EARLIEST_MILLIS) {
      return "is before 1971-01-01, which Mixpanel rejects";
    }
    if (timestampMillis < SECONDS_BELOW) {
      return "is before 1973-03-03T09:46:40Z, whose epoch milliseconds Mixpanel would read as"
          + " seconds";
    }
    if (timestampMillis > receivedMillis + MAX_AHEAD_MILLIS) {
      return "is more than 1 hour after the relay received the message, which Mixpanel rejects";
    }
    return null;
  }
}

package dev.mixrelay.demo;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a demo run did, in numbers that must add up: messages sent = accepted + rejected; accepted
 * = delivered + dead-lettered + deliberately skipped; per endpoint, records handed to delivery =
 * records the mock accepted + records dead-lettered. Equal for equal seeds and user counts.
 *
 * @param delivered accepted messages whose records were delivered
 * @param deadLetteredMessages accepted messages the relay could not translate (dead-lettered whole)
 * @param skippedByReason accepted messages translation skipped on purpose, by reason (the
 *     relay's {@code mixrelay_messages_skipped_total})
 * @param handed records handed to delivery, by endpoint path
 * @param atMock records the mock accepted, by endpoint path (unique events for /import)
 * @param deadLetteredRecords records Mixpanel (the mock) refused, by endpoint path
 * @param sessions "Session End" events at the mock
 * @param meanSessionSeconds their mean "Session Duration (Seconds)"
 */
public record DemoSummary(long seed, int users, String day, long sent, long accepted,
    Map<String, Integer> rejectedByReason, long delivered, long deadLetteredMessages,
    Map<String, Long> skippedByReason,
    Map<String, Long> handed, Map<String, Long> atMock, Map<String, Long> deadLetteredRecords,
    long sessions, double meanSessionSeconds, long deadLetters) {

  public DemoSummary {
    rejectedByReason = Map.copyOf(rejectedByReason);
    skippedByReason = Map.copyOf(skippedByReason);
    handed = Map.copyOf(handed);
    atMock = Map.copyOf(atMock);
    deadLetteredRecords = Map.copyOf(deadLetteredRecords);
  }

  public long skipped() {
    return skippedByReason.values().stream().mapToLong(Long::longValue).sum();
  }

  public long rejected() {
    return rejectedByReason.values().stream().mapToLong(Integer::longValue).sum();
  }

  /** True when every sum in the class comment holds. */
  public boolean reconciles() {
    boolean records = handed.entrySet().stream().allMatch(e -> e.getValue()
        == atMock.getOrDefault(e.getKey(), 0L) + deadLetteredRecords.getOrDefault(e.getKey(), 0L));
    return sent == accepted + rejected()
        && accepted == delivered + deadLetteredMessages + skipped() && records;
  }

  public String format(double seconds) {
    StringBuilder sb = new StringBuilder();
    line(sb, "mixrelay demo: seed %d, %d users, one day of traffic (%s UTC), finished in %.1f s%n",
        seed, users, day, seconds);
    line(sb, "  messages sent %,14d%n", sent);
    line(sb, "    accepted    %,14d%n", accepted);
    line(sb, "    rejected    %,14d%n", rejected());
    new TreeMap<>(rejectedByReason).forEach((r, n) -> line(sb, "      %,6d  %s%n", n, r));
    line(sb, "  accepted messages, finished as%n");
    line(sb, "    delivered            %,7d  (translated into Mixpanel records)%n", delivered);
    line(sb, "    dead-lettered        %,7d  (could not be translated)%n", deadLetteredMessages);
    line(sb, "    deliberately skipped %,7d%n", skipped());
    new TreeMap<>(skippedByReason).forEach((r, n) -> line(sb, "      %,6d  %s%n", n, r));
    line(sb, "    %,d accepted = %,d delivered + %,d dead-lettered + %,d skipped%n", accepted,
        delivered, deadLetteredMessages, skipped());
    line(sb, "  Mixpanel records   handed to delivery   accepted by the mock   dead-lettered%n");
    for (String endpoint : new String[] {"/import", "/engage", "/groups"}) {
      line(sb, "    %-8s %,20d %,22d %,15d%n", endpoint, handed.getOrDefault(endpoint, 0L),
          atMock.getOrDefault(endpoint, 0L), deadLetteredRecords.getOrDefault(endpoint, 0L));
    }
    line(sb, "  sessions %,19d  (mean duration %.1f s)%n", sessions, meanSessionSeconds);
    line(sb, "  dead letters %,15d%n", deadLetters);
    line(sb, "  %s%n", reconciles() ? "the numbers reconcile" : "THE NUMBERS DO NOT RECONCILE");
    return sb.toString();
  }

  private static void line(StringBuilder sb, String format, Object... args) {
    sb.append(String.format(java.util.Locale.ROOT, format, args));
  }
}

package dev.mixrelay.log;

import io.vertx.core.Future;
import java.util.List;
import java.util.Set;

/**
 * Which records of the messages not yet acknowledged Mixpanel already took: so a replay after a
 * crash or a restart sends only the rest. Kept durably until the message is acknowledged, then
 * dropped (they are few: only the unacknowledged tail of the log).
 */
public interface DeliveryMarks {

  /** Record {@code index} of the message at {@code offset}, made for {@code destination}. */
  record Mark(long offset, String destination, int index) {}

  /** Stores the marks (group-committed with the log's other writes). */
  Future<Void> markDelivered(List<Mark> marks);

  /** Every mark of a message with an offset above {@code offset}. */
  Future<Set<Mark>> deliveredAfter(long offset);
}

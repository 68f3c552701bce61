package dev.mixrelay.ops;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One connected debugger page: its filter, a budget of rows a second, and a bounded queue of
 * rows waiting for its connection. The pipeline thread offers rows; the viewer's own event loop
 * drains them. Rows over the budget or over the queue bound are counted and dropped.
 */
final class DebugViewer {
  static final int ROWS_PER_SECOND = 50;
  static final int QUEUE_BOUND = 200;

  final DebugFilter filter;
  private final Queue<String> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicLong matched = new AtomicLong();
  private final AtomicLong shown = new AtomicLong();
  private final RowBudget budget = new RowBudget(ROWS_PER_SECOND);

  DebugViewer(DebugFilter filter) {
    this.filter = filter;
  }

  /** Counts a matching message and says whether the row budget and the queue have room for it. */
  synchronized boolean admit(long nowMillis) {
    matched.incrementAndGet();
    return queued.get() < QUEUE_BOUND && budget.take(nowMillis);
  }

  void offer(String row) {
    queued.incrementAndGet();
    queue.add(row);
  }

  /** The next waiting row, or null. */
  String poll() {
    String row = queue.poll();
    if (row != null) {
      queued.decrementAndGet();
      shown.incrementAndGet();
    }
    return row;
  }

  long matched() {
    return matched.get();
  }

  long shown() {
    return shown.get();
  }
}

package dev.mixrelay.embedded;

import java.util.ArrayDeque;

/**
 * Turns out-of-order completions into the highest offset below which every message is finished.
 * Offsets must be registered in increasing order. Not thread-safe: used on one context.
 */
final class AckTracker {
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private long finishedUpTo;

  AckTracker(long finishedUpTo) {
    this.finishedUpTo = finishedUpTo;
  }

  /** One registered message. */
  static final class Pending {
    final long offset;
    boolean done;

    Pending(long offset) {
      this.offset = offset;
    }
  }

  Pending register(long offset) {
    Pending p = new Pending(offset);
    pending.addLast(p);
    return p;
  }

  /** Marks the message finished; returns true when the finished watermark moved. */
  boolean done(Pending p) {
    p.done = true;
    boolean moved = false;
    while (!pending.isEmpty() && pending.peekFirst().done) {
      finishedUpTo = pending.pollFirst().offset;
      moved = true;
    }
    return moved;
  }

  long finishedUpTo() {
    return finishedUpTo;
  }

  /** The oldest unfinished offset, or -1 (diagnostics). */
  long oldestPending() {
    return pending.isEmpty() ? -1 : pending.peekFirst().offset;
  }

  int inFlight() {
    return pending.size();
  }
}

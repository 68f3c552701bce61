package dev.mixrelay.deliver;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/** The Vert.x timers of one destination, so that shutdown can cancel them all. Event loop only. */
final class DestinationTimers {
  private final Vertx vertx;
  private final Set<Long> ids = new HashSet<>();
  private boolean stopped;

  DestinationTimers(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Runs {@code action} after {@code delay} (at least 1 ms) unless cancelled; returns the id. */
  long after(Duration delay, Runnable action) {
    if (stopped) {
      return -1;
    }
    long id = vertx.setTimer(Math.max(1, delay.toMillis()), t -> {
      ids.remove(t);
      if (!stopped) {
        action.run();
      }
    });
    ids.add(id);
    return id;
  }

  void cancel(long id) {
    if (ids.remove(id)) {
      vertx.cancelTimer(id);
    }
  }

  void cancelAll() {
    stopped = true;
    ids.forEach(vertx::cancelTimer);
    ids.clear();
  }

  boolean stopped() {
    return stopped;
  }
}

package dev.mixrelay.deliver;

import io.vertx.core.Future;
import io.vertx.core.Promise;

/** Counts the records of one {@code send} call still not done; completes its future at zero. */
final class Ticket {
  private final Promise<Void> promise = Promise.promise();
  private int pending;

  Ticket(int records) {
    this.pending = records;
    if (records == 0) {
      promise.complete();
    }
  }

  Future<Void> future() {
    return promise.future();
  }

  /** Marks {@code n} records delivered or dead-lettered. */
  void done(int n) {
    pending -= n;
    if (pending <= 0) {
      promise.tryComplete();
    }
  }

  boolean finished() {
    return promise.future().isComplete();
  }

  void fail(Throwable cause) {
    promise.tryFail(cause);
  }
}

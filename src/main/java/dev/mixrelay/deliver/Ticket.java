package dev.mixrelay.deliver;

import io.vertx.core.Future;
import io.vertx.core.Promise;

/** Counts the records of one {@code send} call still not done; completes its future at zero. */
final class Ticket {
  private final Promise<Void> promise = Promise.promise();
  private int pending;
  /** Told the index (in its send) of each record done, or null. */
  private final java.util.function.IntConsumer recordDone;

  Ticket(int records) {
    this(records, null);
  }

  Ticket(int records, java.util.function.IntConsumer recordDone) {
    this.recordDone = recordDone;
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

  /** Marks the record at {@code index} of the send delivered or dead-lettered. */
  void recordDone(int index) {
    if (recordDone != null) {
      recordDone.accept(index);
    }
    done(1);
  }

  boolean finished() {
    return promise.future().isComplete();
  }

  void fail(Throwable cause) {
    promise.tryFail(cause);
  }
}

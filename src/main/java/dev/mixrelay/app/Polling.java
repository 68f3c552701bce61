package dev.mixrelay.app;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Blocking waits for the command-line commands (never on an event loop): futures and conditions. */
final class Polling {
  private Polling() {}

  /** The future's result, waiting at most {@code limit}; its failure is rethrown. */
  static <T> T await(Future<T> future, Duration limit) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(limit.toMillis(),
          TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof Exception ex ? ex : e;
    }
  }

  /** Completes once the condition holds, checked every {@code periodMs} on a Vert.x timer. */
  static Future<Void> until(Vertx vertx, BooleanSupplier condition, long periodMs) {
    Promise<Void> done = Promise.promise();
    if (condition.getAsBoolean()) {
      done.complete();
      return done.future();
    }
    vertx.setPeriodic(periodMs, id -> {
      if (condition.getAsBoolean()) {
        vertx.cancelTimer(id);
        done.tryComplete();
      }
    });
    return done.future();
  }

  /** Completes once every message the relay's log holds is acknowledged (finished). */
  static Future<Void> logFinished(Relay relay) {
    return until(relay.vertx(), () -> {
      var stats = relay.log().stats();
      return stats.acknowledgedOffset() >= stats.lastOffset();
    }, 50);
  }
}

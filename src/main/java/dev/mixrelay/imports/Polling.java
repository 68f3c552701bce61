package dev.mixrelay.imports;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Waits for the command-line tools: a blocking wait for a future (never on an event loop), and a
 * condition polled on a Vert.x timer.
 */
public final class Polling {
  private Polling() {}

  /** The future's result, waiting at most {@code limit}; its failure is rethrown. */
  public static <T> T await(Future<T> future, Duration limit) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(limit.toMillis(),
          TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof Exception ex ? ex : e;
    }
  }

  /** Completes once the condition holds, checked every {@code periodMs} on a Vert.x timer. */
  public static Future<Void> until(Vertx vertx, BooleanSupplier condition, long periodMs) {
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
}

package dev.mixrelay.app;

import dev.mixrelay.ingest.IntakeListener;
import dev.mixrelay.ingest.MessageAdmission;
import dev.mixrelay.log.IntakeLog;
import dev.mixrelay.log.LogEntry;
import dev.mixrelay.segment.MessageType;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The import's way into a relay's intake log, without HTTP: messages are admitted as intake admits
 * them ({@link MessageAdmission}, on the caller's thread), and batches are appended in the order
 * they are handed over, each only once the log is under {@code storage.maxLogBytes} (checked on a
 * Vert.x timer). Several appends may be outstanding: the log's single writer commits them in the
 * order they were queued, so the log holds the messages in the order given.
 */
final class ImportIntake {
  /** How often a full log is looked at again. */
  static final long BACK_PRESSURE_POLL_MS = 100;

  private final Vertx vertx;
  private final Context context;
  private final IntakeLog log;
  private final MessageAdmission admission;
  private final IntakeListener listener;
  private final String source;
  private final Clock clock;
  private final AtomicLong waited = new AtomicLong();
  /** Completes once the previous batch was handed to the log; only used on {@link #context}. */
  private Future<Void> previous = Future.succeededFuture();
  /** The first failed append; batches not yet handed to the log then fail alike. */
  private Throwable failure;

  ImportIntake(Vertx vertx, IntakeLog log, MessageAdmission admission, IntakeListener listener,
      String source, Clock clock) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.log = log;
    this.admission = admission;
    this.listener = listener;
    this.source = source;
    this.clock = clock;
  }

  /** The time intake would note as a batch's arrival. */
  Instant now() {
    return clock.instant();
  }

  /** Admits one serialised message from a file of the import's source; thread-safe. */
  MessageAdmission.Outcome admit(byte[] json, Instant receivedAt) {
    MessageAdmission.Outcome o = admission.admit(json, source, receivedAt);
    if (o instanceof MessageAdmission.Rejected r) {
      listener.rejected(source, r.code());
    }
    return o;
  }

  /**
   * Appends the entries after every batch handed over before, once the log has room; completes
   * with the last offset when they are durable, or fails as the append did. After a failed append
   * no further batch goes to the log: those not yet handed to it fail with the same error.
   */
  Future<Long> append(List<LogEntry> entries, List<MessageType> types) {
    Promise<Long> durable = Promise.promise();
    context.runOnContext(v -> {
      Future<Void> handed = previous.compose(x -> room());
      previous = handed;
      handed.onFailure(durable::fail).onSuccess(x -> log.append(entries).onComplete(ar -> {
        if (ar.succeeded()) {
          for (MessageType t : types) {
            listener.accepted(source, t.wireName());
          }
        } else {
          listener.rejected(source, "log_unavailable");
          if (failure == null) {
            failure = ar.cause();
          }
        }
        durable.handle(ar);
      }));
    });
    return durable.future();
  }

  /** Batches that found the log full and waited. */
  long waited() {
    return waited.get();
  }

  /** Completes once the log is under capacity (now, or on a later timer tick) and nothing failed. */
  private Future<Void> room() {
    Future<Void> free = Future.succeededFuture();
    if (failure == null && log.overCapacity()) {
      waited.incrementAndGet();
      free = Polling.until(vertx, () -> !log.overCapacity(), BACK_PRESSURE_POLL_MS);
    }
    return free.compose(x -> failure == null ? Future.succeededFuture()
        : Future.failedFuture(failure));
  }
}

package dev.mixrelay.imports;


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
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The import's way into a relay's intake log, without HTTP: messages are admitted as intake admits
 * them ({@link MessageAdmission}, on the caller's thread), and batches are appended in the order
 * they are handed over. Several appends may be outstanding: the log's single writer commits them
 * in the order they were queued, so the log holds the messages in the order given.
 *
 * <p>A batch goes to the log only once (checked on a Vert.x timer, never by spinning) the log is
 * under {@code storage.maxLogBytes} and the pipeline has read all but {@link Pace} of what was
 * appended before: so the pipeline finds the messages still in the log's memory, with the trees
 * parsed here, instead of reading them back from disk and parsing them again.
 */
public final class ImportIntake {
  /** How often a full log is looked at again. */
  static final long BACK_PRESSURE_POLL_MS = 100;
  /** How often the pipeline's read position is looked at again while the import is ahead. */
  static final long PACE_POLL_MS = 2;

  /** How far appends may run ahead of what the pipeline has read, in messages and bytes. */
  public record Pace(int messages, long bytes) {}

  /** An append the pipeline may not have read yet. */
  private record Appended(long lastOffset, int messages, long bytes) {}

  private final Vertx vertx;
  private final Context context;
  private final IntakeLog log;
  private final MessageAdmission admission;
  private final IntakeListener listener;
  private final String source;
  private final Clock clock;
  private final LongSupplier readUpTo;
  private final Pace pace;
  private final AtomicLong waited = new AtomicLong();
  // the fields below are used on the context only
  /** Completes once the previous batch was handed to the log. */
  private Future<Void> previous = Future.succeededFuture();
  /** The first failed append; batches not yet handed to the log then fail alike. */
  private Throwable failure;
  private final ArrayDeque<Appended> unread = new ArrayDeque<>();
  private long aheadMessages;
  private long aheadBytes;

  /** {@code readUpTo}: the offset up to which the pipeline has read the log. */
  public ImportIntake(Vertx vertx, IntakeLog log, MessageAdmission admission, IntakeListener listener,
      String source, Clock clock, LongSupplier readUpTo, Pace pace) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.log = log;
    this.admission = admission;
    this.listener = listener;
    this.source = source;
    this.clock = clock;
    this.readUpTo = readUpTo;
    this.pace = pace;
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
   * Appends the entries after every batch handed over before, once the log has room and the
   * pipeline has caught up; completes with the last offset when they are durable, or fails as the
   * append did. After a failed append no further batch goes to the log: those not yet handed to it
   * fail with the same error.
   */
  Future<Long> append(List<LogEntry> entries, List<MessageType> types) {
    Promise<Long> durable = Promise.promise();
    long bytes = 0;
    for (LogEntry e : entries) {
      bytes += e.json().length;
    }
    long size = bytes;
    context.runOnContext(v -> {
      Future<Void> handed = previous.compose(x -> room())
          .compose(x -> caughtUp(entries.size(), size))
          .compose(x -> failure == null ? Future.succeededFuture() : Future.failedFuture(failure));
      previous = handed;
      handed.onFailure(durable::fail).onSuccess(x -> {
        aheadMessages += entries.size();
        aheadBytes += size;
        log.appendOnce(entries).onComplete(ar -> {
          if (ar.succeeded()) {
            unread.addLast(new Appended(ar.result().lastOffset(), entries.size(), size));
            java.util.BitSet duplicates = ar.result().duplicates();
            for (int i = 0; i < types.size(); i++) {
              if (duplicates.get(i)) {
                listener.duplicate(source, types.get(i).wireName());
              } else {
                listener.accepted(source, types.get(i).wireName());
              }
            }
          } else {
            aheadMessages -= entries.size();
            aheadBytes -= size;
            listener.rejected(source, "log_unavailable");
            if (failure == null) {
              failure = ar.cause();
            }
          }
          if (ar.succeeded()) {
            durable.complete(ar.result().lastOffset());
          } else {
            durable.fail(ar.cause());
          }
        });
      });
    });
    return durable.future();
  }

  /** Batches that found the log full and waited. */
  long waited() {
    return waited.get();
  }

  /** Completes once the log is under capacity: now, or on a later timer tick. */
  private Future<Void> room() {
    if (failure != null || !log.overCapacity()) {
      return Future.succeededFuture();
    }
    waited.incrementAndGet();
    return Polling.until(vertx, () -> !log.overCapacity(), BACK_PRESSURE_POLL_MS);
  }

  /** Completes once a batch of this size keeps the import within {@link #pace} of the pipeline. */
  private Future<Void> caughtUp(int messages, long bytes) {
    if (failure != null || withinPace(messages, bytes)) {
      return Future.succeededFuture();
    }
    return Polling.until(vertx, () -> failure != null || withinPace(messages, bytes), PACE_POLL_MS);
  }

  private boolean withinPace(int messages, long bytes) {
    long read = readUpTo.getAsLong();
    while (!unread.isEmpty() && unread.peekFirst().lastOffset() <= read) {
      Appended a = unread.pollFirst();
      aheadMessages -= a.messages();
      aheadBytes -= a.bytes();
    }
    return aheadMessages == 0 || (aheadMessages + messages <= pace.messages()
        && aheadBytes + bytes <= pace.bytes());
  }
}

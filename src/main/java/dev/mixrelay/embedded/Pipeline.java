package dev.mixrelay.embedded;

import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.config.RelayConfig;
import dev.mixrelay.config.SourceConfig;
import dev.mixrelay.deliver.DeadLetter;
import dev.mixrelay.deliver.Delivery;
import dev.mixrelay.log.DeadLetterRow;
import dev.mixrelay.log.DeadLetterStore;
import dev.mixrelay.log.DeliveryMarks;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.log.LogReader;
import dev.mixrelay.log.StoredMessage;
import dev.mixrelay.stage.MessageStage;
import dev.mixrelay.stage.Outcome;
import dev.mixrelay.stage.StageListener;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded engine's reader: reads the intake log in order, runs each message through the
 * {@link MessageStage} once for each destination its source feeds, hands what comes out to
 * delivery and the dead-letter store, and acknowledges a log offset once every message up to it
 * is finished for every destination (delivered, dead-lettered or deliberately skipped). Runs on one Vert.x context; nothing here
 * blocks.
 */
final class Pipeline {
  private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);
  private static final int READ_BATCH = 2000;
  private static final int CHUNK = 200;
  private static final long IDLE_POLL_MS = 10;
  private static final long ACK_INTERVAL_MS = 50;

  private final Vertx vertx;
  private final LogReader log;
  private final DeadLetterStore deadLetters;
  private final DeliveryMarks marks;
  /**
   * Profile and group records of unacknowledged messages that Mixpanel took before the last stop
   * (loaded at start): a replay skips them, since Mixpanel applies every profile operation it gets.
   */
  private java.util.Set<DeliveryMarks.Mark> delivered = java.util.Set.of();
  private long resendsAvoided;
  private final Map<String, List<DestinationConfig>> destinationsBySource = new HashMap<>();
  private final MessageStage stage;
  private final Delivery delivery;
  private final StageListener listener;
  private final Clock clock;
  private final int maxInFlight;

  /** Set once by start; read by {@link #onPipelineContext} from other threads. */
  private volatile io.vertx.core.Context context;
  private AckTracker acks;
  /** Written on the pipeline's context only; volatile for {@link #readUpTo}. */
  private volatile long readCursor;
  private long replayUpTo;
  private boolean reading;
  private boolean stopped;
  private long ackedSent;
  private boolean ackTimerSet;
  private Promise<Void> drained;

  Pipeline(Vertx vertx, LogReader log, DeadLetterStore deadLetters, DeliveryMarks marks,
      RelayConfig config,
      MessageStage stage, Delivery delivery, StageListener listener, Clock clock,
      int maxInFlight) {
    this.vertx = vertx;
    this.log = log;
    this.deadLetters = deadLetters;
    this.marks = marks;
    for (SourceConfig s : config.sources()) {
      List<DestinationConfig> fed = new ArrayList<>();
      for (String name : s.destinationNames()) {
        DestinationConfig d = config.destinations().get(name);
        if (d != null) {
          fed.add(d);
        }
      }
      destinationsBySource.put(s.name(), List.copyOf(fed));
    }
    this.stage = stage;
    this.delivery = delivery;
    this.listener = listener;
    this.clock = clock;
    this.maxInFlight = maxInFlight;
  }

  /**
   * Starts reading after {@code fromOffset}. Messages up to the acknowledged offset are a replay
   * for the session state only: their own records were delivered before, so only the session
   * events they produce are sent.
   */
  void start(long fromOffset) {
    context = vertx.getOrCreateContext();
    readCursor = fromOffset;
    replayUpTo = log.stats().acknowledgedOffset();
    acks = new AckTracker(fromOffset);
    ackedSent = replayUpTo;
    reading = true; // until the marks are loaded
    marks.deliveredAfter(replayUpTo).onComplete(ar -> onContext(() -> {
      if (ar.succeeded()) {
        delivered = ar.result();
        if (!delivered.isEmpty()) {
          LOG.info("{} profile/group record(s) of unacknowledged messages were accepted by Mixpanel"
              + " before the last stop; the replay does not send them again", delivered.size());
        }
      } else {
        LOG.warn("cannot read the delivered records of the unacknowledged messages: {}",
            ar.cause().getMessage());
      }
      reading = false;
      maybeDrained(); // a stop that came while the marks loaded
      pump();
    }));
  }

  /** Profile and group records a replay did not send again because Mixpanel had taken them. */
  long resendsAvoided() {
    return resendsAvoided;
  }

  /** Stops reading; completes when every message already read is finished, or fails at the deadline. */
  Future<Void> stop() {
    stopped = true;
    drained = Promise.promise();
    maybeDrained();
    return drained.future();
  }

  String diagnostics() {
    return "finished=" + acks.finishedUpTo() + " oldestPending=" + acks.oldestPending() + " inFlight="
        + acks.inFlight() + " readCursor=" + readCursor + " reading=" + reading;
  }

  /** The offset of the last message read from the log (read, not necessarily finished). */
  long readUpTo() {
    return readCursor;
  }

  long finishedUpTo() {
    return acks == null ? 0 : acks.finishedUpTo();
  }

  /**
   * Runs {@code query} on the pipeline's context, where the session state lives, and completes
   * with its result (on that context). Before the pipeline starts nothing drives that state, so
   * the query runs at once.
   */
  <T> Future<T> onPipelineContext(java.util.function.Supplier<T> query) {
    io.vertx.core.Context c = context;
    if (c == null || Vertx.currentContext() == c) {
      return Future.succeededFuture(query.get());
    }
    Promise<T> result = Promise.promise();
    c.runOnContext(v -> {
      try {
        result.complete(query.get());
      } catch (RuntimeException e) {
        result.fail(e);
      }
    });
    return result.future();
  }

  private void pump() {
    if (stopped || reading) {
      return;
    }
    if (acks.inFlight() >= maxInFlight) {
      return; // resumed by finish()
    }
    reading = true;
    log.read(readCursor, Math.min(READ_BATCH, maxInFlight - acks.inFlight())).onComplete(ar -> {
      if (ar.failed()) {
        reading = false;
        LOG.warn("reading the intake log failed, retrying: {}", ar.cause().getMessage());
        vertx.setTimer(1000, t -> pump());
        return;
      }
      List<StoredMessage> batch = ar.result();
      if (batch.isEmpty()) {
        reading = false;
        maybeDrained();
        vertx.setTimer(IDLE_POLL_MS, t -> pump());
        return;
      }
      readCursor = batch.get(batch.size() - 1).offset();
      processChunk(batch, 0);
    });
  }

  /**
   * Processes a read batch a slice per event-loop turn, so intake requests sharing the thread are
   * not held up; finishing inside may not start a read meanwhile: `reading` stays true.
   */
  private void processChunk(List<StoredMessage> batch, int from) {
    int to = Math.min(batch.size(), from + CHUNK);
    for (int i = from; i < to; i++) {
      process(batch.get(i));
    }
    if (to < batch.size()) {
      context.runOnContext(v -> processChunk(batch, to));
      return;
    }
    reading = false;
    maybeDrained();
    pump();
  }

  /**
   * Runs the message through the stage once per destination its source feeds; each destination
   * delivers on its own, and the message is finished (acknowledgeable) when every destination is
   * done with it. A destination whose delivery is stuck holds back only the acknowledgement, and
   * the other destinations go on until the in-flight window is full.
   */
  private void process(StoredMessage stored) {
    AckTracker.Pending pending = acks.register(stored.offset());
    List<DestinationConfig> destinations = destinationsBySource.get(stored.source());
    if (destinations == null || destinations.isEmpty()) {
      listener.deadLettered("-", "untranslatable", 1);
      deadLetter("-", stored, "the source '" + stored.source() + "' is no longer configured",
          () -> finish(pending));
      return;
    }
    int[] left = {destinations.size()};
    long appendedAt = stored.appendedAtMillis(); // not the message: in flight, keep it small
    for (DestinationConfig destination : destinations) {
      Runnable done = () -> {
        listener.finished(destination.name(), clock.millis() - appendedAt);
        if (--left[0] == 0) {
          finish(pending);
        }
      };
      processFor(destination, stored, done);
    }
  }

  private void processFor(DestinationConfig destination, StoredMessage stored, Runnable done) {
    boolean replay = stored.offset() <= replayUpTo;
    Outcome outcome = stage.process(destination, stored.source(), stored.offset(),
        stored.parsed(), stored.json(), replay, clock.millis());
    if (outcome instanceof Outcome.Deliver out) {
      Future<Void> sent = out.records().isEmpty() ? Future.succeededFuture()
          : send(destination, stored.offset(), out.records());
      if (!out.rejected().isEmpty()) {
        sent = Future.all(sent, deadLetterRecords(out.rejected())).mapEmpty();
      }
      sent.onComplete(ar -> onContext(() -> {
        if (ar.succeeded()) {
          done.run();
        }
        // a failed send means delivery closed: the message stays unacknowledged for the next start
      }));
    } else if (outcome instanceof Outcome.Refused refused && !replay) {
      deadLetter(destination.name(), stored, refused.reason(), done);
    } else {
      done.run();
    }
  }

  /**
   * Sends a message's records in one send. Each profile or group operation (Mixpanel applies
   * every one it gets, unlike events, which it de-duplicates by {@code $insert_id}) is marked
   * durably as soon as it is done, so a replay of the message before its acknowledgement skips it.
   */
  private Future<Void> send(DestinationConfig destination, long offset, List<MixpanelRecord> records) {
    List<MixpanelRecord> toSend = records;
    int[] index = null;
    if (!delivered.isEmpty()) {
      toSend = new ArrayList<>(records.size());
      index = new int[records.size()];
      for (int i = 0; i < records.size(); i++) {
        MixpanelRecord r = records.get(i);
        if (r.endpoint() != Endpoint.IMPORT
            && delivered.contains(new DeliveryMarks.Mark(offset, destination.name(), i))) {
          resendsAvoided++;
          continue;
        }
        index[toSend.size()] = i;
        toSend.add(r);
      }
      if (toSend.isEmpty()) {
        return Future.succeededFuture();
      }
    }
    List<MixpanelRecord> sent = toSend;
    int[] original = index;
    return delivery.send(destination, sent, i -> {
      if (sent.get(i).endpoint() != Endpoint.IMPORT) {
        marks.markDelivered(List.of(new DeliveryMarks.Mark(offset, destination.name(),
            original == null ? i : original[i])));
      }
    });
  }

  private Future<Void> deadLetterRecords(List<DeadLetter> rejected) {
    List<DeadLetterRow> rows = new ArrayList<>(rejected.size());
    for (DeadLetter d : rejected) {
      rows.add(new DeadLetterRow(0, d.destination(), d.endpoint().path(), d.record(), d.reason(),
          d.time().toEpochMilli()));
    }
    return deadLetters.addDeadLetters(rows);
  }

  private void deadLetter(String destination, StoredMessage stored, String reason,
      Runnable then) {
    String json = new String(stored.json(), StandardCharsets.UTF_8);
    deadLetters.addDeadLetters(List.of(new DeadLetterRow(0, destination, "segment", json, reason,
        clock.millis()))).onComplete(ar -> {
          if (ar.succeeded()) {
            onContext(then);
          } else {
            LOG.error("cannot store a dead letter; the message stays in the log: {}",
                ar.cause().getMessage());
          }
        });
  }

  private void finish(AckTracker.Pending pending) {
    boolean moved = acks.done(pending);
    if (moved) {
      scheduleAck();
    }
    if (!reading && !stopped && acks.inFlight() < maxInFlight / 2) {
      pump();
    }
    maybeDrained();
  }

  /** Runs on the pipeline's context: all its state is confined there. */
  private void onContext(Runnable r) {
    if (io.vertx.core.Vertx.currentContext() == context) {
      r.run();
    } else {
      context.runOnContext(v -> r.run());
    }
  }

  private void scheduleAck() {
    if (ackTimerSet) {
      return;
    }
    ackTimerSet = true;
    vertx.setTimer(ACK_INTERVAL_MS, t -> {
      ackTimerSet = false;
      flushAck();
    });
  }

  private Future<Void> flushAck() {
    long upTo = acks.finishedUpTo();
    if (upTo <= ackedSent) {
      return Future.succeededFuture();
    }
    ackedSent = upTo;
    return log.acknowledge(upTo);
  }

  private void maybeDrained() {
    if (drained != null && acks != null && acks.inFlight() == 0 && !reading) {
      Promise<Void> p = drained;
      drained = null;
      flushAck().onComplete(ar -> p.tryComplete());
    }
  }
}

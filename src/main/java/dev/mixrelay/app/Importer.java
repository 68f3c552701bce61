package dev.mixrelay.app;

import dev.mixrelay.ingest.MessageAdmission;
import dev.mixrelay.log.LogEntry;
import dev.mixrelay.segment.MessageType;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;

/**
 * Appends files of Segment messages to a relay's intake log in batches, in file order, skipping
 * what an earlier run already appended and recording progress after each durable batch. Up to
 * {@code parallel} appends are outstanding; progress only ever covers a prefix of each file, so a
 * rerun after an interruption appends again at most the batches that were outstanding. Reads,
 * parses and admits on the calling thread.
 */
final class Importer {
  /** How long a batch may wait for room in the log (a full log, delivery not keeping up). */
  private static final Duration BATCH_LIMIT = Duration.ofHours(1);
  /** At most this many distinct rejection reasons are kept apart; the rest count as "other". */
  private static final int MAX_REASONS = 50;

  /** How to import: messages per batch, appends outstanding, and an optional stop. */
  record Settings(int batch, int parallel, long maxBatches) {}

  /** What one run did; {@code waited}: batches that found the log full and waited. */
  record Result(long total, long skipped, long sent, long accepted, Map<String, Long> rejected,
      long batches, long waited, boolean stoppedEarly, double seconds) {
    long rejectedCount() {
      return rejected.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private final ImportIntake intake;
  private final ImportProgress progress;
  private final Settings settings;
  private final Map<String, Long> rejected = new TreeMap<>();
  private long accepted;
  private long batches;

  Importer(ImportIntake intake, ImportProgress progress, Settings settings) {
    this.intake = intake;
    this.progress = progress;
    this.settings = settings;
  }

  /** A batch handed to the log, what it held, and the file position it brings progress to. */
  private record InFlight(Future<?> durable, int accepted, List<String> rejections, String key,
      long doneAfter) {}

  Result run(List<Path> files, ProgressFactory display) throws Exception {
    long t0 = System.nanoTime();
    List<String> keys = new ArrayList<>();
    long total = 0;
    long skipped = 0;
    for (Path f : files) {
      String key = ImportProgress.key(f);
      keys.add(key);
      total += MessageFile.count(f);
      skipped += progress.done(key);
    }
    ProgressLine line = display.create(total, skipped);
    long done = skipped;
    boolean stopped = false;
    Deque<InFlight> window = new ArrayDeque<>();
    for (int i = 0; i < files.size() && !stopped; i++) {
      String key = keys.get(i);
      long position = progress.done(key);
      try (MessageFile file = MessageFile.open(files.get(i))) {
        for (long s = 0; s < position && file.skip(); s++) {
          // appended in an earlier run
        }
        while (true) {
          if (settings.maxBatches() > 0 && batches >= settings.maxBatches()) {
            stopped = true;
            break;
          }
          InFlight batch = nextBatch(file, key, position);
          if (batch == null) {
            break;
          }
          position = batch.doneAfter();
          batches++;
          window.addLast(batch);
          while (window.size() >= settings.parallel()) {
            done += complete(window.removeFirst());
            line.update(done, false);
          }
        }
      }
    }
    while (!window.isEmpty()) {
      done += complete(window.removeFirst());
    }
    line.finish(done);
    long sent = done - skipped;
    return new Result(total, skipped, sent, accepted, rejected, batches, intake.waited(), stopped,
        (System.nanoTime() - t0) / 1e9);
  }

  /** Reads and admits up to a batch of messages and hands the accepted ones to the log. */
  private InFlight nextBatch(MessageFile file, String key, long position) throws IOException {
    List<LogEntry> entries = new ArrayList<>(settings.batch());
    List<MessageType> types = new ArrayList<>(settings.batch());
    List<String> rejections = new ArrayList<>();
    Instant receivedAt = intake.now();
    int read = 0;
    MessageFile.Item item;
    while (read < settings.batch() && (item = file.next()) != null) {
      read++;
      if (item.error() != null) {
        rejections.add(item.error());
        continue;
      }
      MessageAdmission.Outcome o = intake.admit(item.json(), receivedAt);
      if (o instanceof MessageAdmission.Accepted ok) {
        entries.add(ok.entry());
        types.add(ok.type());
      } else {
        rejections.add(IntakeClient.reason(((MessageAdmission.Rejected) o).error()));
      }
    }
    if (read == 0) {
      return null;
    }
    Future<?> durable = entries.isEmpty() ? Future.succeededFuture()
        : intake.append(entries, types);
    return new InFlight(durable, entries.size(), rejections, key, position + read);
  }

  /** Waits until a batch is durable, counts it and records progress; returns messages done. */
  private long complete(InFlight f) throws Exception {
    try {
      Polling.await(f.durable(), BATCH_LIMIT);
    } catch (TimeoutException e) {
      throw new IllegalStateException("a batch waited " + BATCH_LIMIT.toMinutes() + " minutes for"
          + " the relay to take it (the log stays full or delivery does not go on: check the"
          + " destination)", e);
    }
    accepted += f.accepted();
    for (String reason : f.rejections()) {
      rejected.merge(rejected.containsKey(reason) || rejected.size() < MAX_REASONS ? reason
          : "other", 1L, Long::sum);
    }
    long before = progress.done(f.key());
    progress.record(f.key(), f.doneAfter());
    return f.doneAfter() - before;
  }

  /** Makes the progress display once the total is known. */
  interface ProgressFactory {
    ProgressLine create(long total, long alreadyDone) throws IOException;
  }
}

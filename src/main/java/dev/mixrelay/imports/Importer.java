package dev.mixrelay.imports;


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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Appends files of Segment messages to a relay's intake log in batches, in file order, skipping
 * what an earlier run already appended and recording progress after each durable batch. Up to
 * {@code parallel} appends are outstanding; progress only ever covers a prefix of each file, so a
 * rerun after an interruption appends again at most the batches that were outstanding. Reads,
 * parses and admits on the calling thread.
 */
public final class Importer {
  /** How long a batch may wait for room in the log (a full log, delivery not keeping up). */
  private static final Duration BATCH_LIMIT = Duration.ofHours(1);
  /** At most this many distinct rejection reasons are kept apart; the rest count as "other". */
  private static final int MAX_REASONS = 50;

  /** How to import: messages per batch, appends outstanding, and an optional stop. */
  public record Settings(int batch, int parallel, long maxBatches) {}

  /** What one run did; {@code waited}: batches that found the log full and waited. */
  public record Result(long total, long skipped, long sent, long accepted, Map<String, Long> rejected,
      long batches, long waited, boolean stoppedEarly, double seconds) {
    public long rejectedCount() {
      return rejected.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** Told of each rejected message as it is read: its file, line and the reason. */
  public interface Rejects {
    Rejects NONE = (file, line, reason) -> {};

    void rejected(Path file, long line, String reason) throws IOException;
  }

  private final ImportIntake intake;
  private final ImportProgress progress;
  private final Settings settings;
  private final Rejects rejects;
  private final Map<String, Long> rejected = new TreeMap<>();
  private long accepted;
  private long batches;
  private long startNanos;
  private long skippedAtStart;

  public Importer(ImportIntake intake, ImportProgress progress, Settings settings) {
    this(intake, progress, settings, Rejects.NONE);
  }

  public Importer(ImportIntake intake, ImportProgress progress, Settings settings,
      Rejects rejects) {
    this.rejects = rejects;
    this.intake = intake;
    this.progress = progress;
    this.settings = settings;
  }

  /** A batch handed to the log, what it held, and the file position it brings progress to. */
  private record InFlight(Future<?> durable, int accepted, List<String> rejections, String key,
      long doneAfter) {}

  public Result run(List<Path> files, ProgressFactory display) throws Exception {
    startNanos = System.nanoTime();
    List<String> keys = new ArrayList<>();
    long skipped = 0;
    for (Path f : files) {
      String key = ImportProgress.key(f);
      keys.add(key);
      skipped += progress.done(key);
    }
    skippedAtStart = skipped;
    CompletableFuture<Long> total = count(files);
    ProgressLine line = null;
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
          InFlight batch = nextBatch(file, files.get(i), key, position);
          if (batch == null) {
            break;
          }
          position = batch.doneAfter();
          batches++;
          window.addLast(batch);
          while (window.size() >= settings.parallel()) {
            done += complete(window.removeFirst());
            line = show(line, display, total, done, false);
          }
        }
      }
    }
    while (!window.isEmpty()) {
      done += complete(window.removeFirst());
    }
    show(line, display, total, done, true).finish(done);
    long sent = done - skipped;
    return new Result(result(total), skipped, sent, accepted, rejected, batches, intake.waited(), stopped,
        (System.nanoTime() - startNanos) / 1e9);
  }

  /**
   * Counts the files' messages on a thread of its own while the import goes on: on a large file
   * that takes seconds in which the relay would otherwise wait.
   */
  private static CompletableFuture<Long> count(List<Path> files) {
    CompletableFuture<Long> total = new CompletableFuture<>();
    Thread counter = new Thread(() -> {
      try {
        long n = 0;
        for (Path f : files) {
          n += MessageFile.count(f);
        }
        total.complete(n);
      } catch (IOException | RuntimeException e) {
        total.completeExceptionally(e);
      }
    }, "mixrelay-import-count");
    counter.setDaemon(true);
    counter.start();
    return total;
  }

  /**
   * The progress line, made once the total is known (or when {@code wait}ing for it), with the
   * rate counted from the start; null until then.
   */
  private ProgressLine show(ProgressLine line, ProgressFactory display,
      CompletableFuture<Long> total, long done, boolean wait) throws Exception {
    if (line == null && (wait || total.isDone())) {
      line = display.create(result(total), skippedAtStart, startNanos);
    }
    if (line != null) {
      line.update(done, false);
    }
    return line;
  }

  private static long result(CompletableFuture<Long> total) throws Exception {
    try {
      return total.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  /** Reads and admits up to a batch of messages and hands the accepted ones to the log. */
  private InFlight nextBatch(MessageFile file, Path path, String key, long position)
      throws IOException {
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
        rejects.rejected(path, item.line(), item.error());
        continue;
      }
      MessageAdmission.Outcome o = intake.admit(item.json(), receivedAt);
      if (o instanceof MessageAdmission.Accepted ok) {
        entries.add(ok.entry());
        types.add(ok.type());
      } else {
        String reason = MessageAdmission.Rejected.reason(((MessageAdmission.Rejected) o).error());
        rejections.add(reason);
        rejects.rejected(path, item.line(), reason);
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

  /** Makes the progress display once the total is known; its rate counts from {@code startNanos}. */
  public interface ProgressFactory {
    ProgressLine create(long total, long alreadyDone, long startNanos) throws IOException;
  }
}

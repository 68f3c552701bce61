package dev.mixrelay.app;

import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sends files of Segment messages to a relay's intake in batches, skipping what an earlier run
 * already had answered and recording progress after each answered batch. Up to {@code parallel}
 * batches are in flight; progress only ever covers a prefix of each file, so a rerun after an
 * interruption resends at most the batches that were in flight. Runs on the calling thread.
 */
final class Importer {
  private static final Duration BATCH_LIMIT = Duration.ofMinutes(10);

  /**
   * How to import: batch size and byte budget, batches in flight, an optional stop, and the largest
   * message intake takes (a larger one is rejected here, as intake would).
   */
  record Settings(int batch, int maxBatchBytes, int parallel, long maxBatches, int maxMessageBytes) {}

  /** What one run did. */
  record Result(long total, long skipped, long sent, long accepted, Map<String, Long> rejected,
      long batches, long retries, boolean stoppedEarly, double seconds) {
    long rejectedCount() {
      return rejected.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private final IntakeClient client;
  private final ImportProgress progress;
  private final Settings settings;
  private final Map<String, Long> rejected = new TreeMap<>();
  private long accepted;
  private long batches;
  private long retries;

  Importer(IntakeClient client, ImportProgress progress, Settings settings) {
    this.client = client;
    this.progress = progress;
    this.settings = settings;
  }

  /** A batch posted (or answered locally) and the file position it brings progress to. */
  private record InFlight(Future<IntakeClient.Result> answer, List<String> localErrors, String key,
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
          // already answered in an earlier run
        }
        while (true) {
          if (settings.maxBatches() > 0 && batches >= settings.maxBatches()) {
            stopped = true;
            break;
          }
          List<byte[]> batch = new ArrayList<>(settings.batch());
          List<String> localErrors = new ArrayList<>();
          int bytes = 0;
          int read = 0;
          MessageFile.Item item;
          while (read < settings.batch() && bytes < settings.maxBatchBytes()
              && (item = file.next()) != null) {
            read++;
            if (item.error() != null) {
              localErrors.add(item.error());
            } else if (item.json().length > settings.maxMessageBytes()) {
              localErrors.add("message: is larger than " + settings.maxMessageBytes() + " bytes");
            } else {
              batch.add(item.json());
              bytes += item.json().length + 1;
            }
          }
          if (read == 0) {
            break;
          }
          position += read;
          batches++;
          Future<IntakeClient.Result> answer = batch.isEmpty()
              ? Future.succeededFuture(new IntakeClient.Result(0, Map.of(), 0)) : post(batch);
          window.addLast(new InFlight(answer, localErrors, key, position));
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
    return new Result(total, skipped, sent, accepted, rejected, batches, retries, stopped,
        (System.nanoTime() - t0) / 1e9);
  }

  /** Posts a batch; when intake finds malformed JSON in it, drops those messages and reposts. */
  private Future<IntakeClient.Result> post(List<byte[]> batch) {
    return client.post(batch).recover(e -> {
      if (!(e instanceof IntakeClient.Refused r) || !"invalid_json".equals(r.code)) {
        return Future.failedFuture(e);
      }
      List<byte[]> good = new ArrayList<>();
      for (byte[] m : batch) {
        if (MessageFile.wellFormed(m)) {
          good.add(m);
        }
      }
      int bad = batch.size() - good.size();
      Future<IntakeClient.Result> rest = good.isEmpty() || bad == 0
          ? Future.succeededFuture(new IntakeClient.Result(0, Map.of(), 0)) : client.post(good);
      if (bad == 0) {
        return Future.failedFuture(e);
      }
      return rest.map(res -> {
        Map<String, Integer> reasons = new TreeMap<>(res.rejectedByReason());
        reasons.merge("message: malformed JSON", bad, Integer::sum);
        return new IntakeClient.Result(res.accepted(), reasons, res.retries());
      });
    });
  }

  /** Waits for a batch's answer, counts it and records progress; returns messages answered. */
  private long complete(InFlight f) throws Exception {
    IntakeClient.Result r = Polling.await(f.answer(), BATCH_LIMIT);
    accepted += r.accepted();
    retries += r.retries();
    r.rejectedByReason().forEach((reason, n) -> rejected.merge(reason, (long) n, Long::sum));
    f.localErrors().forEach(reason -> rejected.merge(reason, 1L, Long::sum));
    long before = progress.done(f.key());
    progress.record(f.key(), f.doneAfter());
    return f.doneAfter() - before;
  }

  /** Makes the progress display once the total is known. */
  interface ProgressFactory {
    ProgressLine create(long total, long alreadyDone) throws IOException;
  }
}

package dev.mixrelay.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.identity.SuperPropertyStore;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.mock.InsertIdDigest;
import dev.mixrelay.segment.MessageNormalizer;
import dev.mixrelay.segment.SegmentJson;
import dev.mixrelay.segment.SegmentMessage;
import dev.mixrelay.segment.Validation;
import dev.mixrelay.session.Sessionizer;
import dev.mixrelay.translate.Translation;
import dev.mixrelay.translate.Translator;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;

/**
 * The uninterrupted run the soak compares the relay with: the accepted messages, made again from
 * the same seed, through the pure normaliser, translator and sessionizer in one pass in the order
 * they were made (the wall clock is the event time), then every open session closed. Answers the
 * digests of the event {@code $insert_id}s and of the session {@code $insert_id}s.
 */
final class SoakReference {
  /** What the uninterrupted run produced. */
  record Result(InsertIdDigest events, InsertIdDigest sessions, long messages,
      long notTranslated) {}

  private SoakReference() {}

  /**
   * Runs {@code batches} batches of {@code traffic} (a fresh one, made like the load's), leaving
   * out the refused ones, for {@code destination}.
   */
  static Result run(DestinationConfig destination, SoakTraffic traffic, long batches,
      BitSet refused) throws IOException {
    Translator translator = new Translator();
    Sessionizer sessionizer = Sessionizer.create(destination.sessions(),
        destination.settings().insertIdNamespace(), null);
    SuperPropertyStore profiles = SuperPropertyStore.inMemory(1_000_000);
    MessageNormalizer normalizer = MessageNormalizer.withRandomIds();
    String dest = destination.name();
    InsertIdDigest events = new InsertIdDigest();
    InsertIdDigest sessions = new InsertIdDigest();
    long offset = 0;
    long messages = 0;
    long notTranslated = 0;
    long wall = 0;
    for (long b = 0; b < batches; b++) {
      SoakTraffic.Batch batch = traffic.next();
      if (refused.get((int) b)) {
        continue;
      }
      ObjectNode body = (ObjectNode) SegmentJson.MAPPER.readTree(batch.body());
      Instant received = Instant.ofEpochMilli(batch.dueMillis());
      for (JsonNode raw : body.get("batch")) {
        messages++;
        Validation v = normalizer.normalizeOwned((ObjectNode) raw, null, body, received);
        if (!(v instanceof Validation.Valid valid)) {
          notTranslated++;
          continue;
        }
        SegmentMessage m = valid.message();
        Translation t = translator.translate(m, destination, key -> profiles.get(dest, key));
        if (!(t instanceof Translation.Translated done)) {
          notTranslated++;
          continue;
        }
        if (!done.update().isEmpty()) {
          profiles.merge(dest, done.update().userKey(), done.update().superProperties());
        }
        for (MixpanelRecord r : done.records()) {
          if (r.endpoint() == Endpoint.IMPORT) {
            events.add(r.insertId());
          }
        }
        wall = Math.max(wall, m.timestampMillis());
        add(sessions, sessionizer.onEvents(++offset, done.records(), wall));
      }
    }
    add(sessions, sessionizer.onTick(wall + Duration.ofDays(2).toMillis()));
    return new Result(events, sessions, messages, notTranslated);
  }

  private static void add(InsertIdDigest digest, List<MixpanelRecord> records) {
    records.forEach(r -> digest.add(r.insertId()));
  }
}

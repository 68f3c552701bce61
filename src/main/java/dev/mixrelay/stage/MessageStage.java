package dev.mixrelay.stage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.deliver.DeadLetter;
import dev.mixrelay.identity.IdentityLinks;
import dev.mixrelay.identity.SuperPropertyStore;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.segment.SegmentJson;
import dev.mixrelay.segment.SegmentMessage;
import dev.mixrelay.session.Handoff;
import dev.mixrelay.session.Sessionizer;
import dev.mixrelay.translate.Translation;
import dev.mixrelay.translate.Translator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-message work of both engines (see {@code package-info.java}): one instance per
 * pipeline (embedded) or per task (Kafka), holding one sessionizer per destination and the
 * destinations' super properties. Confined to one thread; no I/O, no clock.
 */
public final class MessageStage {
  private static final Logger LOG = LoggerFactory.getLogger(MessageStage.class);

  private final Translator translator;
  private final SuperPropertyStore profiles;
  private final IdentityLinks links;
  private final Map<String, Sessionizer> sessionizers = new LinkedHashMap<>();
  private final Map<String, Long> sessionsAfter = new HashMap<>();
  private final StageListener listener;
  private volatile StageTap tap = StageTap.NONE;

  /**
   * @param profiles the destinations' super properties (read by translation, merged after it)
   * @param links the ids seen linked, for the admin API; null when nobody reads them
   * @param sessionizer makes each destination's sessionizer (the engine chooses how it is split)
   */
  public MessageStage(Collection<DestinationConfig> destinations, Translator translator,
      SuperPropertyStore profiles, IdentityLinks links,
      Function<DestinationConfig, Sessionizer> sessionizer, StageListener listener) {
    this.translator = translator;
    this.profiles = profiles;
    this.links = links;
    this.listener = listener == null ? StageListener.NONE : listener;
    for (DestinationConfig d : destinations) {
      sessionizers.put(d.name(), sessionizer.apply(d));
    }
  }

  /** Shows the live debugger what each message became (only while it has a viewer). */
  public void tap(StageTap tap) {
    this.tap = tap == null ? StageTap.NONE : tap;
  }

  /** The destination's sessionizer, for the engine to save and restore its state. */
  public Sessionizer sessionizer(String destination) {
    return sessionizers.get(destination);
  }

  /** The destinations this stage serves, in configuration order. */
  public Collection<String> destinations() {
    return sessionizers.keySet();
  }

  /**
   * Messages at or below {@code offset} are reflected in the destination's restored session
   * state: they are still translated (a replay) but not sessionized again.
   */
  public void sessionsAfter(String destination, long offset) {
    sessionsAfter.put(destination, offset);
  }

  /**
   * One message of the log for {@code destination}.
   *
   * @param parsed the message as intake parsed it, or null to parse {@code json}
   * @param replay the message's own records were delivered before (a replay after a restart):
   *     only the session events it closes go out, and nothing is dead-lettered again
   * @param now the wall-clock time, for the sessionizer's live-stream rules
   */
  public Outcome process(DestinationConfig destination, String source, long offset,
      JsonNode parsed, byte[] json, boolean replay, long now) {
    String dest = destination.name();
    SegmentMessage message;
    try {
      JsonNode node = parsed != null ? parsed : SegmentJson.MAPPER.readTree(json);
      message = SegmentMessage.fromNormalized((ObjectNode) node);
    } catch (Exception e) {
      return refused(dest, "unreadable log entry: " + e.getMessage(), replay);
    }
    long t0 = System.nanoTime();
    Translation translation;
    try {
      translation = translator.translate(message, destination, key -> profiles.get(dest, key));
    } catch (RuntimeException e) {
      if (!replay) {
        LOG.error("translation failed for a {} message; it is dead-lettered",
            message.type().wireName(), e);
      }
      return refused(dest, "translation failed: " + e, replay);
    }
    boolean watched = !replay && tap.active();
    if (translation instanceof Translation.Skipped skipped) {
      listener.skipped(dest, skipped.reason());
      if (watched) {
        tap.observed(source, dest, message, "skipped: " + skipped.reason(), List.of(), List.of());
      }
      return new Outcome.Skipped(skipped.reason());
    }
    if (translation instanceof Translation.Invalid invalid) {
      if (watched) {
        tap.observed(source, dest, message, "invalid: " + invalid.field() + ": "
            + invalid.reason(), List.of(), List.of());
      }
      return refused(dest, invalid.field() + ": " + invalid.reason(), replay);
    }
    Translation.Translated done = (Translation.Translated) translation;
    listener.translated(dest, message.type().wireName(), done.records().size(),
        System.nanoTime() - t0);
    if (!done.update().isEmpty()) {
      profiles.merge(dest, done.update().userKey(), done.update().superProperties());
    }
    if (links != null) {
      links.observe(dest, message, now);
    }
    if (done.truncated() > 0) {
      listener.truncated(dest, done.truncated());
    }
    List<MixpanelRecord> sessionRecords = sessionize(dest, offset, done.records(), now);
    if (watched) {
      tap.observed(source, dest, message, "translated", done.records(), sessionRecords);
    }
    if (replay) {
      return new Outcome.Deliver(sessionRecords, List.of());
    }
    List<DeadLetter> rejected = List.of();
    if (!done.rejected().isEmpty()) {
      listener.deadLettered(dest, "never_accepted", done.rejected().size());
      rejected = new ArrayList<>(done.rejected().size());
      Instant at = Instant.ofEpochMilli(now);
      for (Translation.Rejected r : done.rejected()) {
        rejected.add(new DeadLetter(dest, r.record().endpoint(), r.record().body().toString(),
            r.reason(), at));
      }
    }
    return new Outcome.Deliver(concat(done.records(), sessionRecords), rejected);
  }

  /**
   * A link-only record of the Kafka engine's identity stage (see {@code
   * Translator#identityEvent}), placed in the device's sessions at its time; returns the session
   * events that became final.
   */
  public List<MixpanelRecord> onLink(String destination, long offset, MixpanelRecord link,
      long now) {
    return sessionize(destination, offset, List.of(link), now);
  }

  /** Takes another task's handoff of a device's session; returns the session events it closed. */
  public List<MixpanelRecord> adopt(String destination, Handoff handoff, long now) {
    return sessionizers.get(destination).adopt(handoff, now);
  }

  /** The handoffs of the destination's sessionizer since the last call (Kafka engine). */
  public List<Handoff> takeHandoffs(String destination) {
    return sessionizers.get(destination).takeHandoffs();
  }

  /** Runs the wall-clock rules; the session events each destination closed (possibly none). */
  public Map<String, List<MixpanelRecord>> onTick(long now) {
    Map<String, List<MixpanelRecord>> closed = new LinkedHashMap<>();
    sessionizers.forEach((dest, s) -> closed.put(dest, s.onTick(now)));
    return closed;
  }

  /** Advances every destination's event time to {@code streamTime} (Kafka stream time). */
  public Map<String, List<MixpanelRecord>> onStreamTime(long streamTime) {
    Map<String, List<MixpanelRecord>> closed = new LinkedHashMap<>();
    sessionizers.forEach((dest, s) -> closed.put(dest, s.onStreamTime(streamTime)));
    return closed;
  }

  /**
   * The end of a finite input ({@code import}): every destination places what it holds and closes
   * the sessions that cannot go on after {@code streamTime} (see {@link Sessionizer#onInputEnd});
   * the session events each destination closed (possibly none).
   */
  public Map<String, List<MixpanelRecord>> onInputEnd(long streamTime) {
    Map<String, List<MixpanelRecord>> closed = new LinkedHashMap<>();
    sessionizers.forEach((dest, s) -> closed.put(dest, s.onInputEnd(streamTime)));
    return closed;
  }

  private List<MixpanelRecord> sessionize(String dest, long offset,
      List<MixpanelRecord> records, long now) {
    Sessionizer s = sessionizers.get(dest);
    if (s == null || offset <= sessionsAfter.getOrDefault(dest, -1L)) {
      return List.of();
    }
    return s.onEvents(offset, records, now);
  }

  private Outcome refused(String dest, String reason, boolean replay) {
    if (!replay) {
      listener.deadLettered(dest, "untranslatable", 1);
    }
    return new Outcome.Refused(reason);
  }

  private static List<MixpanelRecord> concat(List<MixpanelRecord> a, List<MixpanelRecord> b) {
    if (b.isEmpty()) {
      return a;
    }
    List<MixpanelRecord> all = new ArrayList<>(a.size() + b.size());
    all.addAll(a);
    all.addAll(b);
    return all;
  }
}

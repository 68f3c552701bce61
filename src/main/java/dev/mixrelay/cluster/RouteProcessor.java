package dev.mixrelay.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.config.MixpanelSettings.IdentityMerge;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.ops.Metrics;
import dev.mixrelay.segment.MessageHead;
import dev.mixrelay.segment.SegmentJson;
import dev.mixrelay.segment.SegmentMessage;
import dev.mixrelay.session.DeviceLink;
import dev.mixrelay.translate.Translator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The identity stage: reads the intake topic (keyed by anonymousId, else userId), resolves each
 * message's session key with the device → user links, and forwards it to the user-keyed topic, so
 * one user's session lives on one task whatever device or partition its messages came from.
 *
 * <p>A message that links a device to a user for the first time (the first user wins, as in
 * Simplified ID Merge) publishes the link to the compacted links topic, which every processor
 * reads as a global store; until the global store has it, this task's own recent links answer.
 * Which message links a device is read by the one rule, {@link DeviceLink#of}, on the identity
 * event translation makes of it ({@link Translator#identityEvent}). When the device's session key
 * belongs to another task than the user's, that identity event goes to the device's key as a
 * link-only record (header {@code kind: link}), so that task hands the device's open session over
 * (see {@code package-info.java}).
 */
final class RouteProcessor implements Processor<String, byte[], String, byte[]> {
  static final String LINKS_STORE = "mixrelay-links";
  static final String DEDUP_STORE = "mixrelay-dedup";
  /** How often ids whose window ended are removed from the store. */
  private static final Duration EXPIRY_EVERY = Duration.ofMinutes(1);
  private static final int RECENT_LINKS = 100_000;

  private final Map<String, List<DestinationConfig>> destinationsBySource;
  private final int partitions;
  private final Metrics metrics;
  private final Translator translator;
  private ProcessorContext<String, byte[]> context;
  private KeyValueStore<String, String> links;
  /** Each source's messageId window in milliseconds (0: off). */
  private final Map<String, Long> dedupWindowMillis;
  private KeyValueStore<String, Long> seen;
  /** Links this task published that the global store may not have read back yet. */
  private final Map<String, String> recent = new LinkedHashMap<>(1024, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
      return size() > RECENT_LINKS;
    }
  };

  RouteProcessor(Map<String, List<DestinationConfig>> destinationsBySource, int partitions,
      Translator translator, Metrics metrics, Map<String, Long> dedupWindowMillis) {
    this.translator = translator;
    this.dedupWindowMillis = dedupWindowMillis;
    this.destinationsBySource = destinationsBySource;
    this.partitions = partitions;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    this.links = context.getStateStore(LINKS_STORE);
    this.seen = context.getStateStore(DEDUP_STORE);
    if (dedupWindowMillis.values().stream().anyMatch(w -> w > 0)) {
      context.schedule(EXPIRY_EVERY, PunctuationType.WALL_CLOCK_TIME, this::expire);
    }
  }

  /** Removes the ids whose window ended. */
  private void expire(long now) {
    List<String> ended = new ArrayList<>();
    try (KeyValueIterator<String, Long> all = seen.all()) {
      while (all.hasNext()) {
        var kv = all.next();
        if (kv.value == null || kv.value <= now) {
          ended.add(kv.key);
        }
      }
    }
    for (String k : ended) {
      seen.delete(k);
    }
  }

  /**
   * True when the message's {@code (intake key, source, messageId)} passed this stage within the
   * window (then it is counted and dropped); else remembers it. The intake key routes every copy
   * of a message to one task, and the store is written in the same exactly-once transaction as
   * what the stage forwards.
   */
  private boolean repeated(Record<String, byte[]> record, String source, MessageHead head) {
    long window = dedupWindowMillis.getOrDefault(source, 0L);
    if (window <= 0) {
      return false;
    }
    String key = (record.key() == null ? "" : record.key()) + '\u0000' + source + '\u0000'
        + head.messageId();
    long now = context.currentSystemTimeMs();
    Long until = seen.get(key);
    if (until != null && until > now) {
      metrics.duplicate(source, head.type().wireName());
      return true;
    }
    seen.put(key, now + window);
    return false;
  }

  @Override
  public void process(Record<String, byte[]> record) {
    String source = Keys.text(record.headers(), Keys.SOURCE);
    List<DestinationConfig> fed = source == null ? null : destinationsBySource.get(source);
    if (fed == null || fed.isEmpty()) {
      context.forward(DeadLetters.record("-", "segment", record.value(),
          "the source '" + source + "' is not configured on this processor",
          record.timestamp()), ClusterTopology.ROUTE_DEAD_LETTER_SINK);
      metrics.deadLetteredMessage("-", "untranslatable", 1);
      return;
    }
    // the few fields routing reads, without the tree; the whole message only when the head is
    // not plain (then it gives the reason) or a destination must build the identity event
    MessageHead read = MessageHead.read(record.value());
    SegmentMessage message = read == null ? parse(record, fed) : null;
    if (read == null && message == null) {
      return;
    }
    MessageHead head = read != null ? read : MessageHead.of(message);
    if (repeated(record, source, head)) {
      return;
    }
    long time = time(head, record);
    if (message == null && fed.stream().anyMatch(d -> !linkKnown(head, time, d))) {
      message = parse(record, fed);
      if (message == null) {
        return;
      }
    }
    // fan-out: one user-keyed record per destination the source feeds; each destination's
    // records are keyed by its name, so each translates, sessionizes and delivers on its own
    for (DestinationConfig destination : fed) {
      route(record, head, message, time, destination);
    }
  }

  /** The whole message, or null after dead-lettering it for every destination. */
  private SegmentMessage parse(Record<String, byte[]> record, List<DestinationConfig> fed) {
    try {
      JsonNode node = SegmentJson.MAPPER.readTree(record.value());
      return SegmentMessage.fromNormalized((ObjectNode) node);
    } catch (Exception e) {
      for (DestinationConfig destination : fed) {
        String dest = destination.name();
        context.forward(DeadLetters.record(dest, "segment", record.value(),
            "unreadable intake record: " + e.getMessage(), record.timestamp()),
            ClusterTopology.ROUTE_DEAD_LETTER_SINK);
        metrics.deadLetteredMessage(dest, "untranslatable", 1);
      }
      return null;
    }
  }

  /**
   * True when the message's identity event, whatever it is, changes nothing: in Simplified ID
   * Merge a track, page, screen or identify with both ids links {@code anonymousId} to {@code
   * userId} ({@link Translator#identityEvent}, read by {@link DeviceLink#of}) or nothing (a
   * refused message), and this device's earliest link is already to that user, from an earlier
   * time. Then {@link #route} would neither publish a link nor send a link-only copy, so the
   * event need not be built.
   */
  private boolean linkKnown(MessageHead head, long time, DestinationConfig destination) {
    if (destination.settings().identityMerge() != IdentityMerge.simplified
        || head.userId() == null || head.anonymousId() == null) {
      return false;
    }
    switch (head.type()) {
      case TRACK, PAGE, SCREEN, IDENTIFY -> { }
      default -> {
        return false;
      }
    }
    Link known = link(destination.name(), head.anonymousId());
    return known != null && known.time < time && known.user.equals(head.userId());
  }

  /** The message's event time; the record's when the message has none after 1970. */
  private static long time(MessageHead head, Record<String, byte[]> record) {
    return head.timestampMillis() > 0 ? head.timestampMillis() : record.timestamp();
  }

  /**
   * Routes the message, timed {@code time}, to its user's task for one destination; {@code
   * message} is null when {@link #linkKnown} holds for every destination.
   */
  private void route(Record<String, byte[]> record, MessageHead head, SegmentMessage message,
      long time, DestinationConfig destination) {
    String dest = destination.name();
    boolean simplified = destination.settings().identityMerge() == IdentityMerge.simplified;
    MixpanelRecord identity = message == null ? null
        : translator.identityEvent(message, destination);
    DeviceLink linking = DeviceLink.of(identity);
    if (linking != null) {
      String device = linking.device();
      String userId = linking.user();
      Link known = link(dest, device);
      // "<=": a replay after a crash decides as the first attempt did, even when that attempt's
      // link reached the links topic and its link-only copy did not reach the by-user topic
      boolean ours = known == null || time <= known.time;
      if (ours) {
        String linkKey = Keys.userKey(dest, device);
        Link made = new Link(time, userId);
        recent.put(linkKey, made.encode());
        context.forward(new Record<>(linkKey, Keys.utf8(made.encode()), time),
            ClusterTopology.LINKS_SINK);
      }
      // the user's task cannot tell a first link from one to a second user of a shared device:
      // the device's task answers every link to another user than the known one (an empty
      // handoff when the device already belongs to someone else), so the user's task never waits
      // in vain
      String deviceKey = linking.deviceKey();
      if ((ours || !userId.equals(known.user))
          && Keys.partition(Keys.userKey(dest, deviceKey), partitions)
          != Keys.partition(Keys.userKey(dest, userId), partitions)) {
        // the link-only copy is the identity event itself: the device's task places it in the
        // device's sessions (MessageStage.onLink); it is never delivered
        Record<String, byte[]> copy = new Record<>(Keys.userKey(dest, deviceKey),
            identity.body().toString().getBytes(StandardCharsets.UTF_8), time);
        copy.headers().add(Keys.KIND, Keys.utf8(Keys.KIND_LINK));
        copyHeader(record.headers(), copy.headers(), Keys.SOURCE);
        copyHeader(record.headers(), copy.headers(), Keys.APPENDED_AT);
        copyHeader(record.headers(), copy.headers(), Keys.APPEND_SEQ);
        context.forward(copy, ClusterTopology.USERS_SINK);
      }
    }
    String userId = head.userId();
    String anonymousId = head.anonymousId();
    String sessionKey;
    if (userId != null) {
      sessionKey = userId;
    } else if (anonymousId != null) {
      // by time, not arrival: an anonymous event from before the link belongs to the device's
      // session, as in one sessionizer, and a replay after a crash routes it the same way
      Link linked = link(dest, anonymousId);
      sessionKey = linked != null && linked.time <= time ? linked.user
          : simplified ? "$device:" + anonymousId : anonymousId;
    } else {
      sessionKey = "\u0001" + head.messageId(); // in no session: spread over the tasks
    }
    context.forward(new Record<>(Keys.userKey(dest, sessionKey), record.value(), time,
        record.headers()), ClusterTopology.USERS_SINK);
  }

  /**
   * A device's link: the user and the time of the earliest message that linked them (the
   * sessionizer places links in time order, so the earliest is the one it keeps). The links
   * topic's value is {@code time + ' ' + userId}.
   */
  record Link(long time, String user) {
    String encode() {
      return time + " " + user;
    }

    static Link decode(String value) {
      int at = value == null ? -1 : value.indexOf(' ');
      if (at <= 0) {
        return null;
      }
      try {
        return new Link(Long.parseLong(value.substring(0, at)), value.substring(at + 1));
      } catch (NumberFormatException e) {
        return null;
      }
    }
  }

  /** The device's link as this task knows it: its own newest, else the global store's. */
  private Link link(String dest, String device) {
    String key = Keys.userKey(dest, device);
    Link mine = Link.decode(recent.get(key));
    Link global = Link.decode(links.get(key));
    if (mine == null) {
      return global;
    }
    return global == null || mine.time <= global.time ? mine : global;
  }

  private static void copyHeader(Headers from, Headers to, String name) {
    var h = from.lastHeader(name);
    if (h != null) {
      to.add(name, h.value());
    }
  }
}

package dev.mixrelay.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.segment.MessageType;
import dev.mixrelay.segment.SegmentMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The live debugger's core: what each viewer is sent of the pipeline's messages. Sampled on the
 * way in: each viewer gets at most {@link DebugViewer#ROWS_PER_SECOND} matching rows a second, a
 * ring keeps the last {@link #RING} rows (at most as many a second) for viewers that connect, and
 * nothing at all is done while no viewer is connected. Never blocks: the pipeline thread only
 * filters, serialises a sampled row and queues it. The page and its stream are {@link
 * DebuggerRoutes}.
 */
public final class Debugger {
  static final int RING = 200;
  static final int HISTORY = 50;

  private final LongSupplier millis;
  private final List<DebugViewer> viewers = new CopyOnWriteArrayList<>();
  private final ArrayDeque<Row> ring = new ArrayDeque<>();
  private final AtomicLong ids = new AtomicLong();
  private final RowBudget ringBudget = new RowBudget(DebugViewer.ROWS_PER_SECOND);

  /** A sampled row: what the filters need, and its JSON as sent to the page. */
  private record Row(String source, SegmentMessage message, List<MixpanelRecord> records,
      List<MixpanelRecord> sessionRecords, String json) {}

  public Debugger(LongSupplier millis) {
    this.millis = millis;
  }

  /** Whether a viewer is connected; the pipeline asks before every call to {@link #observed}. */
  public boolean active() {
    return !viewers.isEmpty(); // one volatile read
  }

  /** One message and what it became (see the pipeline's tap); returns at once. */
  public void observed(String source, String destination, SegmentMessage message, String outcome,
      List<MixpanelRecord> records, List<MixpanelRecord> sessionRecords) {
    long now = millis.getAsLong();
    String json = null;
    for (DebugViewer v : viewers) {
      if (v.filter.matches(source, message, records, sessionRecords) && v.admit(now)) {
        if (json == null) {
          json = row(now, source, destination, message, outcome, records, sessionRecords);
        }
        v.offer(json);
      }
    }
    synchronized (ring) {
      if (!ringBudget.take(now)) {
        return;
      }
      if (json == null) {
        json = row(now, source, destination, message, outcome, records, sessionRecords);
      }
      if (ring.size() == RING) {
        ring.removeFirst();
      }
      ring.addLast(new Row(source, message, records, sessionRecords, json));
    }
  }

  /**
   * A message intake refused, shown with the error its sender got (outcome {@code refused at
   * intake: ...}, no destination, no records); returns at once.
   */
  public void refused(String source, JsonNode sent, String error) {
    ObjectNode json = sent instanceof ObjectNode o ? o
        : JsonNodeFactory.instance.objectNode().set("sent", sent);
    MessageType type = MessageType.fromWire(json.path("type").asText(null)).orElse(null);
    observed(source, "-", new SegmentMessage(json, type, json.path("messageId").asText(null), 0),
        "refused at intake: " + error, List.of(), List.of());
  }

  /** Adds a viewer, first filling its queue with the recent rows it matches. */
  void connect(DebugViewer viewer) {
    List<String> recent = new ArrayList<>();
    synchronized (ring) {
      for (Row r : ring) {
        if (viewer.filter.matches(r.source, r.message, r.records, r.sessionRecords)) {
          recent.add(r.json);
        }
      }
    }
    for (String json : recent.subList(Math.max(0, recent.size() - HISTORY), recent.size())) {
      viewer.offer(json);
    }
    viewers.add(viewer);
  }

  void disconnect(DebugViewer viewer) {
    viewers.remove(viewer);
  }

  int viewers() {
    return viewers.size();
  }

  private String row(long now, String source, String destination, SegmentMessage m, String outcome,
      List<MixpanelRecord> records, List<MixpanelRecord> sessionRecords) {
    ObjectNode message = m.json();
    if (message.has("writeKey")) {
      message = message.deepCopy();
      message.remove("writeKey"); // a batch item may carry its sender's write key: never shown
    }
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("id", ids.incrementAndGet()).put("time", now).put("source", source)
        .put("destination", destination)
        .put("type", m.type() == null ? m.json().path("type").asText(null) : m.type().wireName())
        .put("userId", m.userId()).put("anonymousId", m.anonymousId()).put("event", m.event())
        .put("messageId", m.messageId()).put("outcome", outcome);
    o.set("message", message);
    add(o.putArray("records"), records);
    add(o.putArray("sessionRecords"), sessionRecords);
    return o.toString();
  }

  private static void add(ArrayNode into, List<MixpanelRecord> records) {
    for (MixpanelRecord r : records) {
      into.addObject().put("endpoint", r.endpoint().path()).set("body", r.body());
    }
  }
}

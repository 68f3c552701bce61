package dev.mixrelay.mock;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The mock's own API under {@code /__mixpanel/}: what it accepted (events, sessions, engage,
 * groups, counts), faults, reset and health. Never faulted.
 */
final class MockAdminRoutes {

  static final String PREFIX = "/__mixpanel/";
  private static final int DEFAULT_LIMIT = 10_000;

  private final MockMixpanel mock;
  private final RecordStore store;
  private final ObjectMapper json;

  MockAdminRoutes(MockMixpanel mock, RecordStore store, ObjectMapper json) {
    this.mock = mock;
    this.store = store;
    this.json = json;
  }

  MockResponse handle(MockRequest r) {
    String route = r.method() + " " + r.path().substring(PREFIX.length() - 1);
    switch (route) {
      case "GET /events":
        return events(r, e -> true);
      case "GET /sessions":
        return events(
            r,
            e ->
                e.event.equals(RecordStore.SESSION_START)
                    || e.event.equals(RecordStore.SESSION_END));
      case "GET /engage":
        return ops(r, false);
      case "GET /groups":
        return ops(r, true);
      case "GET /profile":
        return profile(mock.profile(String.valueOf(r.query("distinct_id"))));
      case "GET /group":
        return profile(
            mock.groupProfile(
                String.valueOf(r.query("group_key")), String.valueOf(r.query("group_id"))));
      case "GET /counts":
        return MockResponse.json(200, counts(store.counts()));
      case "GET /faults":
        return MockResponse.json(200, json.valueToTree(mock.faults()));
      case "POST /faults":
        return setFaults(r);
      case "DELETE /faults":
        mock.faults(Faults.NONE);
        return MockResponse.json(200, json.valueToTree(mock.faults()));
      case "POST /reset":
        mock.reset();
        return MockResponse.json(200, json.createObjectNode().put("reset", true));
      case "GET /health":
        return MockResponse.json(200, json.createObjectNode().put("status", "UP"));
      default:
        return MockResponse.error(404, "no such mock route: " + route);
    }
  }

  private MockResponse events(MockRequest r, Predicate<RecordStore.StoredEvent> base) {
    String distinctId = r.query("distinct_id");
    String event = r.query("event");
    String insertId = r.query("insert_id");
    Predicate<RecordStore.StoredEvent> filter =
        base.and(e -> distinctId == null || distinctId.equals(e.distinctId))
            .and(e -> event == null || event.equals(e.event));
    ArrayNode out = json.createArrayNode();
    for (RecordStore.StoredEvent e : store.events(filter, limit(r))) {
      JsonNode node = parse(e.json);
      if (insertId == null
          || insertId.equals(node.path("properties").path("$insert_id").asText())) {
        out.add(node);
      }
    }
    return MockResponse.json(200, out);
  }

  private MockResponse ops(MockRequest r, boolean group) {
    String key = group ? r.query("group_key") : r.query("distinct_id");
    String groupId = r.query("group_id");
    String op = r.query("op");
    List<RecordStore.StoredOp> found =
        store.ops(
            group,
            o ->
                (key == null || key.equals(o.key()))
                    && (groupId == null || groupId.equals(o.groupId()))
                    && (op == null || op.equals(o.op())),
            limit(r));
    ArrayNode out = json.createArrayNode();
    found.forEach(o -> out.add(parse(o.json())));
    return MockResponse.json(200, out);
  }

  private static MockResponse profile(ObjectNode p) {
    return p == null ? MockResponse.error(404, "no such profile") : MockResponse.json(200, p);
  }

  private MockResponse setFaults(MockRequest r) {
    try {
      Faults f =
          json.readerFor(Faults.class)
              .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
              .readValue(r.body().length == 0 ? "{}".getBytes() : r.body());
      mock.faults(f);
      return MockResponse.json(200, json.valueToTree(mock.faults()));
    } catch (IOException | IllegalArgumentException e) {
      Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
      String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
      int nl = message.indexOf('\n');
      return MockResponse.error(
          400, "invalid faults: " + (nl < 0 ? message : message.substring(0, nl)));
    }
  }

  ObjectNode counts(MockCounts c) {
    ObjectNode o = json.createObjectNode();
    o.put("events", c.events());
    o.put("uniqueEvents", c.uniqueEvents());
    o.put("duplicates", c.duplicates());
    o.put("distinctInsertIds", c.distinctInsertIds());
    o.put("engageOps", c.engageOps());
    o.put("groupOps", c.groupOps());
    o.put("rejected", c.rejected());
    o.put("sessionStarts", c.sessionStarts());
    o.put("sessionEnds", c.sessionEnds());
    o.put("notRetained", c.notRetained());
    o.put("requests", c.requests());
    o.set("requestsByStatus", json.valueToTree(new TreeMap<>(c.requestsByStatus())));
    o.put("eventInsertIdDigest", c.eventInsertIdDigest());
    o.put("sessionInsertIdDigest", c.sessionInsertIdDigest());
    return o;
  }

  private static int limit(MockRequest r) {
    String l = r.query("limit");
    try {
      return l == null ? DEFAULT_LIMIT : Math.max(0, Integer.parseInt(l));
    } catch (NumberFormatException e) {
      return DEFAULT_LIMIT;
    }
  }

  private JsonNode parse(byte[] bytes) {
    try {
      return json.readTree(bytes);
    } catch (IOException e) {
      throw new IllegalStateException("stored records are valid JSON", e);
    }
  }
}

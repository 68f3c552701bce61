package dev.mixrelay.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/** Mixpanel's ingestion endpoints as a forwarder sees them: /import, /track, /engage, /groups. */
final class IngestHandler {

  private final MockMixpanelConfig config;
  private final RecordStore store;
  private final ObjectMapper json;

  IngestHandler(MockMixpanelConfig config, RecordStore store, ObjectMapper json) {
    this.config = config;
    this.store = store;
    this.json = json;
  }

  MockResponse handle(MockRequest r) {
    if (!r.method().equals("POST")) {
      return MockResponse.error(405, "only POST is supported on " + r.path());
    }
    switch (r.path()) {
      case "/import":
        return importEvents(r);
      case "/track":
        return track(r);
      case "/engage":
        return profiles(r, false);
      case "/groups":
        return profiles(r, true);
      default:
        return MockResponse.error(404, "no such endpoint: " + r.path());
    }
  }

  private MockResponse importEvents(MockRequest r) {
    MockResponse denied = authorize(r);
    if (denied != null) {
      return denied;
    }
    Parsed parsed = records(r);
    if (parsed.refusal() != null) {
      return parsed.refusal();
    }
    List<JsonNode> records = parsed.records();
    Instant now = config.clock().instant();
    List<RecordStore.NewEvent> valid = new ArrayList<>(records.size());
    List<FailedRecord> failed = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      JsonNode node = records.get(i);
      byte[] bytes = parsed.raw().get(i);
      EventRules.Checked c =
          EventRules.importEvent(node, bytes.length, config.maxRecordBytes(), now);
      if (c instanceof EventRules.Valid v) {
        valid.add(newEvent(v, bytes));
      } else {
        EventRules.Broken b = (EventRules.Broken) c;
        failed.add(new FailedRecord(i, insertIdOf(node), b.field(), b.message()));
      }
    }
    store.addEvents(valid);
    store.rejected(failed.size());
    if (!r.query().getOrDefault("strict", "1").equals("1")) {
      return MockResponse.text(200, valid.isEmpty() && !records.isEmpty() ? "0" : "1");
    }
    ObjectNode body = json.createObjectNode();
    if (failed.isEmpty()) {
      body.put("code", 200);
      body.put("num_records_imported", valid.size());
      body.put("status", "OK");
      return MockResponse.json(200, body);
    }
    body.put("code", 400);
    body.put("error", "some data points in the request failed validation");
    body.put("num_records_imported", valid.size());
    body.put("status", "Bad Request");
    body.set("failed_records", failedRecords(failed, true));
    return MockResponse.json(400, body);
  }

  private MockResponse track(MockRequest r) {
    Parsed parsed = records(r);
    if (parsed.refusal() != null) {
      return parsed.refusal();
    }
    List<JsonNode> records = parsed.records();
    Instant now = config.clock().instant();
    List<RecordStore.NewEvent> valid = new ArrayList<>();
    String firstError = null;
    for (int i = 0; i < records.size(); i++) {
      JsonNode node = records.get(i);
      byte[] bytes = parsed.raw().get(i);
      EventRules.Checked c =
          EventRules.trackEvent(node, bytes.length, config.maxRecordBytes(), now);
      if (c instanceof EventRules.Valid v) {
        String problem = tokenProblem(node.path("properties").path("token"));
        if (problem == null) {
          valid.add(newEvent(v, bytes));
          continue;
        }
        c = new EventRules.Broken("properties.token", problem);
      }
      firstError = firstError == null ? ((EventRules.Broken) c).message() : firstError;
    }
    store.addEvents(valid);
    store.rejected(records.size() - valid.size());
    return status(r, !valid.isEmpty() || records.isEmpty(), firstError);
  }

  private MockResponse profiles(MockRequest r, boolean group) {
    String encoding = r.header("content-encoding");
    if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("gzip")) {
      return MockResponse.error(400, "gzip request bodies are not supported on " + r.path());
    }
    Parsed parsed = records(r);
    if (parsed.refusal() != null) {
      return parsed.refusal();
    }
    List<JsonNode> records = parsed.records();
    List<RecordStore.StoredOp> valid = new ArrayList<>();
    List<FailedRecord> failed = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      JsonNode node = records.get(i);
      byte[] bytes = parsed.raw().get(i);
      ProfileRules.Checked c =
          group
              ? ProfileRules.group(node, bytes.length, config.maxRecordBytes(), config.token())
              : ProfileRules.engage(node, bytes.length, config.maxRecordBytes(), config.token());
      if (c instanceof ProfileRules.Valid v) {
        valid.add(new RecordStore.StoredOp(v.key(), v.groupId(), v.op(), bytes));
      } else {
        ProfileRules.Broken b = (ProfileRules.Broken) c;
        failed.add(new FailedRecord(i, null, b.field(), b.message()));
      }
    }
    store.addOps(group, valid);
    store.rejected(failed.size());
    if (r.flag("strict") && !failed.isEmpty()) {
      ObjectNode body = json.createObjectNode();
      body.put("status", 0);
      body.put("error", "some data points in the request failed validation");
      body.put("num_records_imported", valid.size());
      body.set("failed_records", failedRecords(failed, false));
      return MockResponse.json(200, body);
    }
    String firstError = failed.isEmpty() ? null : failed.get(0).message();
    return status(r, !valid.isEmpty() || records.isEmpty(), firstError);
  }

  /** /track, /engage and /groups: {@code 1}/{@code 0}, or {@code {"status":1,"error":null}}. */
  private MockResponse status(MockRequest r, boolean ok, String error) {
    if (r.flag("verbose") || r.flag("strict")) {
      ObjectNode body = json.createObjectNode();
      body.put("status", ok ? 1 : 0);
      if (ok || error == null) {
        body.putNull("error");
      } else {
        body.put("error", error);
      }
      return MockResponse.json(200, body);
    }
    return MockResponse.text(200, ok ? "1" : "0");
  }

  /** The request's records with their bytes, or the 400/413 answer that refuses the request. */
  private record Parsed(List<JsonNode> records, List<byte[]> raw, MockResponse refusal) {
    static Parsed refused(MockResponse r) {
      return new Parsed(List.of(), List.of(), r);
    }
  }

  private Parsed records(MockRequest r) {
    if (r.body().length > config.maxRequestBytes()) {
      return Parsed.refused(
          MockResponse.error(
              413, "request exceeds max limit of " + config.maxRequestBytes() + " bytes"));
    }
    BodyReader.Read read = BodyReader.read(json, r.body(), r.header("content-type"));
    if (read instanceof BodyReader.Unreadable u) {
      return Parsed.refused(MockResponse.error(400, u.reason()));
    }
    BodyReader.Records rs = (BodyReader.Records) read;
    if (rs.records().size() > config.maxRecords()) {
      return Parsed.refused(
          MockResponse.error(
              413,
              "request exceeds max limit of "
                  + config.maxRecords()
                  + " records, has "
                  + rs.records().size()));
    }
    return new Parsed(rs.records(), rs.raw(), null);
  }

  private MockResponse authorize(MockRequest r) {
    String header = r.header("authorization");
    if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return MockResponse.error(401, "Invalid credentials");
    }
    String value = header.substring(6).trim();
    String userPass;
    try {
      userPass = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      userPass = value;
    }
    int colon = userPass.indexOf(':');
    String user = colon < 0 ? userPass : userPass.substring(0, colon);
    String password = colon < 0 ? "" : userPass.substring(colon + 1);
    if (user.isEmpty()) {
      return MockResponse.error(401, "Invalid credentials");
    }
    if (config.credentials().isEmpty()) {
      return null;
    }
    MockMixpanelConfig.Credential match = null;
    for (MockMixpanelConfig.Credential c : config.credentials()) {
      if (same(c.user(), user) & same(c.password(), password)) {
        match = c;
      }
    }
    if (match == null) {
      return MockResponse.error(401, "Invalid credentials");
    }
    if (!match.password().isEmpty()
        && config.projectId() != null
        && !config.projectId().equals(r.query("project_id"))) {
      return MockResponse.error(
          401,
          "Invalid credentials: service account requests need "
              + "project_id="
              + config.projectId());
    }
    return null;
  }

  private String tokenProblem(JsonNode token) {
    if (!token.isTextual() || token.asText().isEmpty()) {
      return "'properties.token' is required";
    }
    if (config.token() != null && !config.token().equals(token.asText())) {
      return "'properties.token' is invalid: not this project's token";
    }
    return null;
  }

  private RecordStore.NewEvent newEvent(EventRules.Valid v, byte[] bytes) {
    KeySet128.Key tuple =
        v.insertId() == null
            ? null
            : KeySet128.keyOf(v.event(), v.distinctId(), Long.toString(v.timeMs()), v.insertId());
    KeySet128.Key insertKey = v.insertId() == null ? null : KeySet128.keyOf(v.insertId());
    return new RecordStore.NewEvent(
        v.event(), v.distinctId(), v.timeMs(), v.insertId(), tuple, insertKey, bytes);
  }

  private ArrayNode failedRecords(List<FailedRecord> failed, boolean withInsertId) {
    ArrayNode list = json.createArrayNode();
    for (FailedRecord f : failed) {
      ObjectNode o = list.addObject();
      o.put("index", f.index());
      if (withInsertId) {
        o.put("insert_id", f.insertId());
      }
      o.put("field", f.field());
      o.put("message", f.message());
    }
    return list;
  }

  private static String insertIdOf(JsonNode node) {
    JsonNode id = node.path("properties").path("$insert_id");
    return id.isValueNode() ? id.asText() : "";
  }

  private static boolean same(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}

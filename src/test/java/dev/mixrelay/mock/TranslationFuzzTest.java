package dev.mixrelay.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.config.MixpanelSettings;
import dev.mixrelay.config.SessionConfig;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.segment.MessageNormalizer;
import dev.mixrelay.segment.SegmentJson;
import dev.mixrelay.segment.SegmentMessage;
import dev.mixrelay.segment.Validation;
import dev.mixrelay.session.Sessionizer;
import dev.mixrelay.translate.ProfileUpdate;
import dev.mixrelay.translate.Translation;
import dev.mixrelay.translate.Translator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes translation and sessions with well-formed but strange Segment messages: every record
 * sent to {@code /import} passes the mock Mixpanel's strict rules unless translation set it aside
 * for the dead letters, and every message that is not translated says why. In package mock
 * because {@link EventRules} is package-private.
 */
class TranslationFuzzTest {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
  private static final int MAX_RECORD_BYTES = MockMixpanelConfig.defaults().maxRecordBytes();
  private static final String[] TYPES = {"track", "page", "screen", "identify", "group", "alias"};
  private static final String[] KEYS = {
      "time", "distinct_id", "$insert_id", "token", "revenue", "sid", "$set", "$name", "email",
      "company", "plan", "name", "category", "url", "path", "title", "referrer", "search", "ip",
      "userAgent", "library", "os", "device", "screen", "locale", "timezone", "campaign",
      "Logged In", "mixpanel", "Mixpanel", "All", "ü", "\u0000", "", "a.b", "$os", "mp_lib",
      "$duration", "$device_id", "$user_id", "id", "createdAt", "created_at", "avatar",
      "firstName", "lastName", "phone", "username", "description", "age", "gender"};
  private static final String[] STRINGS = {
      "", " ", "null", "undefined", "0", "-1", "anonymous", "00000000-0000-0000-0000-000000000000",
      "u1", "u2", "a1", "g1", "Login", "Logout", "Signed Up", "Viewed Docs Page", "Docs",
      "1900-01-01T00:00:00Z", "3000-01-01T00:00:00Z", "1970-01-01T00:00:00Z",
      "2026-11-23T11:59:59.999Z", "2026-11-23T13:30:00+01:00", "1e400", "12.50", "NaN",
      "ünïcödé ✓ 🎉", "\u202e\ud83d", "\t\n",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)",
      "1.2.3.4", "::1", "{}", "[]", "true", "false", "$device:a1", "-", "a-b-c"};
  private static final String[] TIMESTAMPS = {
      "1900-01-01T00:00:00Z", "3000-01-01T00:00:00Z", "1971-01-01T00:00:00Z",
      "1970-12-31T23:59:59.999Z", "2026-11-23T11:00:00Z", "2026-11-23T12:59:59Z",
      "2026-11-23T13:00:01Z", "2026-11-18T11:59:59Z", "0001-01-01", "9999-12-31T23:59:59Z",
      "2026-11-23", "1795435200000", "0", "2026-11-23T12:00:00+14:00", "2026-11-23T12:00:00-12:00"};
  private static final List<DestinationConfig> DESTINATIONS = List.of(
      destination(MixpanelSettings.defaults(), SessionConfig.defaults()),
      destination(new MixpanelSettings(false, true, true, true, MixpanelSettings.PageCalls.each,
          false, false, List.of("email", "plan", "$name"), List.of("plan", "company"),
          List.of("Signed Up"), List.of("revenue", "age"), List.of("name", "company", "id"),
          List.of("createdAt"), true, "fuzz", null, MixpanelSettings.IdentityMerge.original, null,
          null), session(SessionConfig.Mode.event, "Europe/Berlin")),
      destination(new MixpanelSettings(true, false, true, false, null, true, true, null,
          List.of("ü", ""), null, null, List.of("$name"), null, false, null, true,
          MixpanelSettings.IdentityMerge.simplified, null, false),
          session(SessionConfig.Mode.property, "Pacific/Chatham")),
      destination(new MixpanelSettings(null, true, null, true,
          MixpanelSettings.PageCalls.first_match,
          true, false, List.of("email"), null, List.of("Login"), List.of("time"),
          List.of("company"), List.of("company"), true, null, null,
          MixpanelSettings.IdentityMerge.original, null, true),
          session(SessionConfig.Mode.timeout, "America/St_Johns")));

  private final Translator translator = new Translator();

  @FuzzTest(maxDuration = "3m")
  void strangeMessagesAreTranslatedAndSessionizedIntoRecordsMixpanelAccepts(
      FuzzedDataProvider data) {
    DestinationConfig destination = DESTINATIONS.get(data.consumeInt(0, DESTINATIONS.size() - 1));
    Sessionizer sessions = Sessionizer.create(destination.sessions(),
        destination.settings().insertIdNamespace(), null);
    int[] ids = {0};
    MessageNormalizer normalizer = new MessageNormalizer(() -> "gen-" + ids[0]++);
    Map<String, ObjectNode> remembered = new HashMap<>();
    int messages = data.consumeInt(1, 6);
    long wall = NOW.toEpochMilli();
    for (int offset = 1; offset <= messages && data.remainingBytes() > 0; offset++) {
      ObjectNode raw = message(data);
      Validation v = normalizer.normalize(raw, null, null, NOW);
      if (v instanceof Validation.Invalid bad) {
        assertThat(bad.reason()).isNotBlank();
        continue;
      }
      SegmentMessage m = ((Validation.Valid) v).message();
      Translation t = translator.translate(m, destination, remembered::get);
      List<MixpanelRecord> records = List.of();
      if (t instanceof Translation.Invalid bad) {
        assertThat(bad.field()).isNotBlank();
        assertThat(bad.reason()).isNotBlank();
      } else if (t instanceof Translation.Skipped skipped) {
        assertThat(skipped.reason()).isNotBlank();
      } else {
        Translation.Translated done = (Translation.Translated) t;
        done.rejected().forEach(r -> assertThat(r.reason()).isNotBlank());
        records = done.records();
        records.forEach(TranslationFuzzTest::assertMixpanelAccepts);
        ProfileUpdate update = done.update();
        if (!update.isEmpty() && update.userKey() != null) {
          remembered.put(update.userKey(), update.superProperties());
        }
      }
      wall += data.consumeInt(0, 3_600_000);
      sessions.onEvents(offset, records, wall).forEach(TranslationFuzzTest::assertMixpanelAccepts);
    }
    sessions.onTick(wall + Duration.ofDays(2).toMillis())
        .forEach(TranslationFuzzTest::assertMixpanelAccepts);
  }

  private static void assertMixpanelAccepts(MixpanelRecord record) {
    if (record.endpoint() != Endpoint.IMPORT) {
      return;
    }
    byte[] bytes;
    try {
      bytes = SegmentJson.MAPPER.writeValueAsBytes(record.body());
    } catch (Exception e) {
      throw new AssertionError("record cannot be serialised", e);
    }
    EventRules.Checked checked = EventRules.importEvent(record.body(), bytes.length,
        MAX_RECORD_BYTES, NOW);
    assertThat(checked).as("%s", record.body()).isInstanceOf(EventRules.Valid.class);
  }

  private static ObjectNode message(FuzzedDataProvider data) {
    ObjectNode m = NODES.objectNode();
    m.put("type", data.pickValue(TYPES));
    for (String field : new String[] {"userId", "anonymousId", "previousId", "groupId", "event",
        "name", "category"}) {
      if (data.consumeBoolean()) {
        m.set(field, idLike(data));
      }
    }
    if (data.consumeBoolean()) {
      m.put("messageId", data.pickValue(new String[] {"m1", "m1", "m2", "", "m\u00e9"}));
    }
    if (data.consumeBoolean()) {
      m.put("timestamp",
          data.consumeBoolean() ? data.pickValue(TIMESTAMPS) : data.consumeString(30));
    }
    if (data.consumeBoolean()) {
      m.put("sentAt", data.pickValue(TIMESTAMPS));
    }
    for (String field : new String[] {"properties", "traits", "context"}) {
      if (data.consumeBoolean()) {
        m.set(field, object(data, data.consumeInt(1, 62)));
      }
    }
    if (data.consumeBoolean()) {
      ObjectNode integrations = m.putObject("integrations");
      integrations.set(data.pickValue(new String[] {"All", "Mixpanel", "mixpanel", "Other"}),
          value(data, 2));
    }
    return m;
  }

  /** A user id, event name and the like: usually a string, sometimes a number, null or huge. */
  private static JsonNode idLike(FuzzedDataProvider data) {
    return switch (data.consumeInt(0, 5)) {
      case 0 -> NODES.nullNode();
      case 1 -> NODES.numberNode(data.consumeLong());
      case 2 -> NODES.numberNode(data.consumeDouble());
      case 3 -> NODES.textNode("x".repeat(data.consumeInt(0, 300_000)));
      case 4 -> NODES.textNode(data.consumeString(40));
      default -> NODES.textNode(data.pickValue(STRINGS));
    };
  }

  private static ObjectNode object(FuzzedDataProvider data, int depth) {
    ObjectNode o = NODES.objectNode();
    int n = data.consumeInt(0, data.consumeBoolean() ? 6 : 300);
    for (int i = 0; i < n && data.remainingBytes() > 0; i++) {
      String key = data.consumeBoolean() ? data.pickValue(KEYS)
          : data.consumeBoolean() ? data.consumeString(12) : "k" + i;
      o.set(key, value(data, depth - 1));
    }
    return o;
  }

  private static JsonNode value(FuzzedDataProvider data, int depth) {
    int kind = data.consumeInt(0, depth > 0 ? 9 : 7);
    return switch (kind) {
      case 0 -> NODES.nullNode();
      case 1 -> NODES.booleanNode(data.consumeBoolean());
      case 2 -> NODES.numberNode(data.consumeLong());
      case 3 -> NODES.numberNode(data.consumeDouble());
      case 4 -> NODES.textNode(data.pickValue(STRINGS));
      case 5 -> NODES.textNode(data.consumeString(64));
      case 6 -> NODES.textNode("é".repeat(data.consumeInt(0, 70_000)));
      case 7 -> NODES.numberNode(new java.math.BigDecimal(data.consumeLong()).scaleByPowerOfTen(
          data.consumeInt(-400, 400)));
      case 8 -> {
        ArrayNode a = NODES.arrayNode();
        int n = data.consumeInt(0, data.consumeBoolean() ? 4 : 300);
        for (int i = 0; i < n && data.remainingBytes() > 0; i++) {
          a.add(value(data, depth - 1));
        }
        yield a;
      }
      default -> object(data, depth);
    };
  }

  private static DestinationConfig destination(MixpanelSettings settings, SessionConfig sessions) {
    return new DestinationConfig("fuzz", "fuzz-token", null, null, null, null, null, settings,
        sessions, null);
  }

  private static SessionConfig session(SessionConfig.Mode mode, String zone) {
    return new SessionConfig(mode, Duration.ofMinutes(30), "Login", "Logout", "sid", zone,
        List.of("Logout"), List.of("plan"), Duration.ofSeconds(60), null, null, 100, null);
  }
}

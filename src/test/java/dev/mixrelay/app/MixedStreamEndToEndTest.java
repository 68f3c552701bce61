package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.ConfigLoader;
import dev.mixrelay.config.RelayConfig;
import dev.mixrelay.identity.SuperPropertyStore;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.mock.MockMixpanel;
import dev.mixrelay.segment.MessageNormalizer;
import dev.mixrelay.segment.Validation;
import dev.mixrelay.translate.Translation;
import dev.mixrelay.translate.Translator;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10,000 mixed Segment messages through the running relay arrive at the mock Mixpanel as exactly
 * the records translation makes of them: every /import event, /engage and /groups operation, in
 * batches of at most 2,000 records.
 */
class MixedStreamEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MESSAGES = 10_000;

  @TempDir
  Path dir;

  static List<ObjectNode> stream() {
    Random rnd = new Random(11);
    List<ObjectNode> out = new ArrayList<>();
    long t = Instant.parse("2026-11-20T09:00:00Z").toEpochMilli();
    for (int n = 0; n < MESSAGES; n++) {
      int u = rnd.nextInt(300);
      ObjectNode m = JSON.createObjectNode().put("messageId", "mix-" + n)
          .put("timestamp", Instant.ofEpochMilli(t + n * 1000L).toString())
          .put("userId", "user-" + u).put("anonymousId", "anon-" + u);
      m.putObject("context").put("ip", "198.51.100." + (u % 200)).putObject("library")
          .put("name", "analytics-node").put("version", "3.1.0");
      switch (n % 10) {
        case 0 -> m.put("type", "identify").putObject("traits").put("email", "u" + u + "@example.com")
            .put("plan", u % 2 == 0 ? "pro" : "free").putArray("roles").add("member");
        case 1 -> m.put("type", "page").put("name", "Pricing").put("category", "Docs");
        case 2 -> m.put("type", "screen").put("name", "Home");
        case 3 -> {
          m.put("type", "group").put("groupId", "g" + u % 20);
          m.putObject("traits").put("company_id", "c" + u % 20).put("employees", u);
        }
        case 4 -> m.put("type", "track").put("event", "Order Completed").putObject("properties")
            .put("revenue", 10 + u % 7);
        default -> m.put("type", "track").put("event", "Viewed " + (n % 3)).putObject("properties")
            .put("n", n);
      }
      out.add(m);
    }
    return out;
  }

  @Test
  void everyRecordArrivesExactlyAsTranslatedInFullBatches() throws Exception {
    try (MockMixpanel mock = MockMixpanel.builder().port(0).build().start()) {
      RelayConfig config = ConfigLoader.parse("""
          server: { host: 127.0.0.1, port: 0 }
          storage: { dir: "%s" }
          sources: [ { writeKey: mix, destination: main } ]
          destinations:
            main:
              token: mix-token
              apiSecret: mix-secret
              apiHost: "%s"
              settings: { groupIdentifierTraits: [company_id], eventIncrements: [Order Completed] }
              sessions: { mode: off }
          """.formatted(dir.toString().replace("\\", "/"), mock.baseUrl()), Map.of(), "t");
      List<ObjectNode> messages = stream();
      Expected expected = expected(config, messages);
      try (RelayFixture fx = new RelayFixture(dir, config)) {
        fx.relay = RelayFixture.await(Relay.start(fx.vertx, config, Clock.systemUTC()));
        for (int i = 0; i < messages.size(); i += 100) {
          var body = JSON.createObjectNode();
          body.putArray("batch").addAll(messages.subList(i, i + 100));
          assertThat(fx.post("/v1/batch", body.toString(), Map.of("Authorization", RelayFixture.basic("mix")))
              .statusCode()).isEqualTo(200);
        }
        fx.waitUntil(() -> fx.relay.log().stats().unackedMessages() == 0, () -> "" + fx.relay.log().stats());
        assertThat(sorted(mock.events())).isEqualTo(sorted(expected.events));
        assertThat(sorted(mock.engageOps())).isEqualTo(sorted(expected.engage));
        assertThat(sorted(mock.groupOps())).isEqualTo(sorted(expected.groups));
        assertThat(mock.counts().requestsWithStatus("413")).isZero();
        String metrics = fx.get("/metrics").bodyAsString();
        double count = value(metrics, "mixrelay_mixpanel_records_per_request_count\\{destination=\"main\",endpoint=\"/import\"\\}");
        double sum = value(metrics, "mixrelay_mixpanel_records_per_request_sum\\{destination=\"main\",endpoint=\"/import\"\\}");
        double max = value(metrics, "mixrelay_mixpanel_records_per_request_max\\{destination=\"main\",endpoint=\"/import\"\\}");
        assertThat(max).isLessThanOrEqualTo(2000);
        System.out.printf("mixed stream: %d events, %d engage ops, %d group ops; %.0f /import requests,"
            + " mean %.1f records per request%n", expected.events.size(), expected.engage.size(),
            expected.groups.size(), count, sum / count);
      }
    }
  }

  private record Expected(List<MixpanelRecord> events, List<MixpanelRecord> engage, List<MixpanelRecord> groups) {}

  /** What translation makes of the stream, with super properties carried in order as the pipeline does. */
  private static Expected expected(RelayConfig config, List<ObjectNode> messages) {
    var dest = config.destinations().get("main");
    Translator translator = new Translator();
    SuperPropertyStore store = SuperPropertyStore.inMemory(10_000);
    MessageNormalizer normalizer = MessageNormalizer.withRandomIds();
    Expected e = new Expected(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    for (ObjectNode m : messages) {
      var valid = (Validation.Valid) normalizer.normalize(m, null, null, Instant.now());
      Translation t = translator.translate(valid.message(), dest, key -> store.get("main", key));
      if (t instanceof Translation.Translated done) {
        if (!done.update().isEmpty()) {
          store.merge("main", done.update().userKey(), done.update().superProperties());
        }
        for (MixpanelRecord r : done.records()) {
          switch (r.endpoint()) {
            case IMPORT -> e.events.add(r);
            case ENGAGE -> e.engage.add(r);
            default -> e.groups.add(r);
          }
        }
      }
    }
    return e;
  }

  private static List<String> sorted(List<MixpanelRecord> records) {
    List<String> out = new ArrayList<>();
    for (MixpanelRecord r : records) {
      out.add(canonical(r.body()));
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }

  private static String canonical(JsonNode n) {
    try {
      Object tree = JSON.treeToValue(n, Object.class);
      return JSON.copy().configure(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
          .writeValueAsString(tree);
    } catch (Exception ex) {
      throw new AssertionError(ex);
    }
  }

  private static double value(String text, String seriesRegex) {
    Matcher m = Pattern.compile("(?m)^" + seriesRegex + " ([0-9.eE+-]+)$").matcher(text);
    assertThat(m.find()).as(seriesRegex).isTrue();
    return Double.parseDouble(m.group(1));
  }
}

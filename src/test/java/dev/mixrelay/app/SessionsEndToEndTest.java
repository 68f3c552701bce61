package dev.mixrelay.app;

import dev.mixrelay.demo.ManualClock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.ConfigLoader;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.mock.MockMixpanel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every session golden timeline (the examples of Mixpanel's Sessions page among them) sent through
 * the real pipeline: each event is a Segment track call over HTTP, the relay's wall clock is then
 * moved a day ahead so idle sessions close, and the Session Start / End events the mock Mixpanel
 * received must match the timeline's expected sessions: names, times, durations, counts, users.
 */
class SessionsEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path ROOT = Path.of("src/test/resources/golden/session");

  @TempDir
  Path dir;

  static Stream<Path> cases() throws IOException {
    try (Stream<Path> files = Files.walk(ROOT)) {
      return files.filter(p -> p.getFileName().toString().equals("input.json"))
          .map(Path::getParent).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void theTimelineComesOutOfTheRelayAsSessionEvents(Path folder) throws Exception {
    JsonNode input = JSON.readTree(folder.resolve("input.json").toFile());
    JsonNode expected = JSON.readTree(folder.resolve("expected.json").toFile());
    try (MockMixpanel mock = MockMixpanel.builder().port(0).build().start()) {
      String yaml = """
          server: { host: 127.0.0.1, port: 0 }
          storage: { dir: "%s" }
          sources: [ { writeKey: k, destination: main } ]
          destinations:
            main:
              token: t
              apiSecret: s
              apiHost: "%s"
              delivery: { linger: 20ms }
              sessions: %s
          """.formatted(dir.toString().replace("\\", "/"), mock.baseUrl(), input.get("sessions"));
      var config = ConfigLoader.parse(yaml, Map.of(), folder.toString());
      ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
      try (RelayFixture fx = new RelayFixture(dir, config)) {
        fx.relay = RelayFixture.await(Relay.start(fx.vertx, config, clock));
        int n = 0;
        for (JsonNode event : input.get("events")) {
          assertThat(fx.post("/v1/track", trackCall(event, n++).toString(),
              Map.of("Authorization", RelayFixture.basic("k"))).statusCode()).isEqualTo(200);
          clock.advance(Duration.ofMillis(100));
        }
        int total = n;
        fx.waitUntil(() -> fx.relay.log().stats().acknowledgedOffset() == total,
            () -> "acknowledged " + fx.relay.log().stats());
        clock.advance(Duration.ofDays(2));
        fx.waitUntil(() -> mock.sessions().size() >= expected.size(),
            () -> "sessions at the mock " + mock.sessions() + ", expected " + expected);
        assertThat(summary(mock.sessions())).isEqualTo(summary(expected));
      }
    }
  }

  /** The golden /import record as the Segment track call that translates back into it. */
  private static ObjectNode trackCall(JsonNode record, int n) {
    JsonNode p = record.get("properties");
    ObjectNode msg = JSON.createObjectNode().put("type", "track").put("event", record.get("event").asText())
        .put("messageId", "e2e-" + n)
        .put("timestamp", Instant.ofEpochMilli(p.get("time").asLong()).toString());
    if (p.hasNonNull("$user_id")) {
      msg.put("userId", p.get("$user_id").asText());
    }
    if (p.hasNonNull("$device_id")) {
      msg.put("anonymousId", p.get("$device_id").asText());
    }
    if (!msg.has("userId") && !msg.has("anonymousId")) {
      msg.put("userId", p.get("distinct_id").asText());
    }
    ObjectNode props = msg.putObject("properties");
    p.fields().forEachRemaining(e -> {
      if (!List.of("time", "distinct_id", "$user_id", "$device_id", "$insert_id", "token").contains(e.getKey())) {
        props.set(e.getKey(), e.getValue());
      }
    });
    return msg;
  }

  private static List<String> summary(Iterable<?> sessions) {
    List<String> out = new ArrayList<>();
    for (Object o : sessions) {
      JsonNode r = o instanceof MixpanelRecord m ? m.body() : (JsonNode) o;
      JsonNode p = r.get("properties");
      out.add(p.get("time").asLong() + " " + r.get("event").asText() + " " + p.get("distinct_id").asText()
          + " duration=" + p.path("Session Duration (Seconds)").asDouble()
          + " count=" + p.path("Session Event Count").asInt()
          + " " + p.path("Session Start Event Name").asText() + ".." + p.path("Session End Event Name").asText());
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }
}

package dev.mixrelay.app;

import dev.mixrelay.cli.DemoCommand;
import dev.mixrelay.imports.Polling;
import dev.mixrelay.demo.DemoSummary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.config.ConfigLoader;
import dev.mixrelay.config.RelayConfig;
import dev.mixrelay.log.DeadLetterRow;
import dev.mixrelay.mock.Faults;
import dev.mixrelay.mock.MockCounts;
import dev.mixrelay.mock.MockMixpanel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GET /metrics in Prometheus format; the counters reconcile with what the mock received. The demo's
 * day of traffic (plus mock faults and a few late events, which the demo itself never causes)
 * leaves every family issue 7 lists non-zero.
 */
class MetricsTest {
  @TempDir
  Path dir;

  @Test
  void countersReconcileWithTheMockAndCarryNoSecrets() {
    try (MockMixpanel mock = MockMixpanel.builder().port(0).build().start()) {
      var config = RelayFixture.baseYaml(dir, "", mock.baseUrl());
      try (RelayFixture fx = new RelayFixture(dir, config)) {
        fx.relay = RelayFixture.await(Relay.start(fx.vertx, config, Clock.systemUTC()));
        StringBuilder batch = new StringBuilder("{\"batch\":[");
        for (int i = 0; i < 50; i++) {
          batch.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"userId\":\"u" + i % 5
              + "\",\"event\":\"E\"}");
        }
        batch.append(",{\"type\":\"track\",\"userId\":\"u\"}]}");
        fx.post("/v1/batch", batch.toString(), Map.of("Authorization", RelayFixture.basic(RelayFixture.WRITE_KEY)));
        fx.post("/v1/track", "{}", Map.of("Authorization", RelayFixture.basic("wrong-key-9")));
        fx.waitUntil(() -> fx.relay.log().stats().unackedMessages() == 0 && mock.events().size() >= 50,
            () -> "" + mock.counts());
        String text = fx.get("/metrics").bodyAsString();
        assertThat(value(text, "mixrelay_messages_received_total\\{outcome=\"accepted\",reason=\"none\",source=\"source-0\",type=\"track\"\\}"))
            .isEqualTo(50);
        assertThat(value(text, "mixrelay_messages_received_total\\{outcome=\"rejected\",reason=\"invalid_event\",source=\"source-0\",type=\"-\"\\}"))
            .isEqualTo(1);
        assertThat(value(text, "mixrelay_messages_received_total\\{outcome=\"rejected\",reason=\"unknown_write_key\",source=\"-\",type=\"-\"\\}"))
            .isEqualTo(1);
        double requests200 = value(text,
            "mixrelay_mixpanel_requests_total\\{destination=\"main\",endpoint=\"/import\",status=\"200\"\\}");
        assertThat((long) requests200).isEqualTo(mock.counts().requestsWithStatus("200"));
        assertThat(value(text, "mixrelay_records_made_total\\{destination=\"main\"\\}")).isEqualTo(50);
        assertThat(value(text, "mixrelay_intake_log_messages")).isZero();
        assertThat(text).contains("mixrelay_delivery_latency_seconds_count")
            .contains("mixrelay_translation_seconds_count")
            .doesNotContain(RelayFixture.WRITE_KEY).doesNotContain("test-api-secret")
            .doesNotContain("wrong-key-9");
      }
    }
  }

  private static double value(String text, String seriesRegex) {
    Matcher m = Pattern.compile("(?m)^" + seriesRegex + " ([0-9.eE+-]+)$").matcher(text);
    assertThat(m.find()).as("series " + seriesRegex + " in\n" + text).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void theDemosTrafficLeavesEveryFamilyNonZeroAndTheCountersReconcileWithTheMock()
      throws Exception {
    RelayConfig config = ConfigLoader.load(Path.of("config/mixrelay.yaml"), Map.of());
    int late = 3;
    String[] during = new String[1];
    String[] after = new String[1];
    MockCounts[] atMock = new MockCounts[1];
    AtomicReference<List<DeadLetterRow>> letters = new AtomicReference<>();
    DemoSummary summary = DemoCommand.run(config, 11, 60, new DemoCommand.Hooks() {
      @Override
      public void started(Relay relay) {
        // two retries, then a batch Mixpanel refuses as a whole: its records become dead letters
        relay.mock().faults(new Faults(0, 503, 0, null, 0, 0, 0, 1L, List.of("429", "503", "400")));
      }

      @Override
      public void trafficDone(Relay relay) throws Exception {
        Instant dayStart = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(1, ChronoUnit.DAYS);
        for (int i = 0; i < late; i++) {
          // late as issue 15 defines it: more than allowedLateness older than the same user's
          // newest event (a new user's old event is not late, however old)
          for (Instant at : List.of(dayStart.plus(Duration.ofHours(2)), dayStart.plusSeconds(i))) {
            String track = "{\"type\":\"track\",\"userId\":\"late-" + i + "\",\"event\":"
                + "\"Late\",\"timestamp\":\"" + at + "\"}";
            assertThat(post(relay, "/v1/track", track)).isEqualTo(200);
          }
        }
        Polling.await(relay.logFinished(), Duration.ofSeconds(60));
        // the open-sessions gauge follows the one-second session tick
        Polling.await(Polling.until(relay.vertx(), () -> relay.metrics().registry()
            .get("mixrelay_sessions_open").gauge().value() > 0, 50), Duration.ofSeconds(60));
        during[0] = scrape(relay);
      }

      @Override
      public void finished(Relay relay) throws Exception {
        after[0] = scrape(relay);
        atMock[0] = relay.mock().counts();
        letters.set(Polling.await(relay.log().listDeadLetters(null, 0, Integer.MAX_VALUE),
            Duration.ofSeconds(60)));
      }
    });
    Scrape now = new Scrape(after[0]);

    // every family, non-zero (gauges that a drained relay reads as 0 must at least be there)
    double accepted = now.sum("mixrelay_messages_received_total", "outcome", "accepted");
    assertThat(accepted).isEqualTo(summary.accepted() + 2 * late);
    // intake answers each refused message with a sentence; the metric labels it with a reason code
    assertThat(now.sum("mixrelay_messages_received_total", "outcome", "rejected"))
        .isEqualTo(summary.rejected()).isPositive();
    assertThat(now.has("mixrelay_messages_received_total", "outcome", "rejected", "reason", "none"))
        .isFalse();
    assertThat(now.sum("mixrelay_messages_skipped_total")).isEqualTo(summary.skipped())
        .isPositive();
    now.assertPresent("mixrelay_intake_log_messages");
    now.assertPresent("mixrelay_intake_log_bytes");
    now.assertPresent("mixrelay_intake_log_oldest_age_seconds");
    for (String status : List.of("200", "429", "503", "400")) {
      assertThat(now.sum("mixrelay_mixpanel_requests_total", "status", status))
          .as("requests answered " + status).isEqualTo(atMock[0].requestsWithStatus(status))
          .isPositive();
    }
    assertThat(now.sum("mixrelay_mixpanel_requests_total", "endpoint", "/engage")).isPositive();
    assertThat(now.sum("mixrelay_mixpanel_records_per_request_count"))
        .isEqualTo(now.sum("mixrelay_mixpanel_requests_total"));
    assertThat(now.sum("mixrelay_mixpanel_records_per_request_sum")).isPositive();
    assertThat(now.sum("mixrelay_mixpanel_retries_total", "cause", "429")).isPositive();
    assertThat(now.sum("mixrelay_mixpanel_retries_total", "cause", "5xx")).isPositive();
    now.assertPresent("mixrelay_circuit_breaker_open", "destination", "main");
    assertThat(now.sum("jvm_memory_used_bytes", "area", "heap")).isPositive();
    assertThat(now.sum("jvm_threads_live_threads")).isPositive();
    assertThat(now.sum("process_uptime_seconds")).isPositive();
    double rejectedRecords = now.sum("mixrelay_dead_letters_total", "reason", "mixpanel_rejected");
    assertThat(rejectedRecords).isPositive();
    assertThat(now.sum("mixrelay_dead_letters_total")).isEqualTo(letters.get().size());
    assertThat(new Scrape(during[0]).sum("mixrelay_sessions_open")).isPositive();
    assertThat(now.sum("mixrelay_sessions_opened_total")).isPositive();
    double closed = now.sum("mixrelay_sessions_closed_total");
    assertThat(closed).isPositive();
    assertThat(now.sum("mixrelay_session_late_events_total")).isEqualTo(late);
    now.assertPresent("mixrelay_translation_seconds_bucket");
    now.assertPresent("mixrelay_delivery_latency_seconds_bucket");
    double untranslatable = now.sum("mixrelay_dead_letters_total", "reason", "untranslatable");
    assertThat(now.sum("mixrelay_translation_seconds_count"))
        .isEqualTo(accepted - now.sum("mixrelay_messages_skipped_total") - untranslatable);
    assertThat(now.sum("mixrelay_delivery_latency_seconds_count"))
        .isEqualTo(accepted - untranslatable);

    // what translation made and the sessions closed (a Start and an End each) = what the mock
    // stored + what was dead-lettered on the way
    long deadRecords = letters.get().stream().filter(l -> !l.endpoint().equals("segment")).count();
    long stored = atMock[0].uniqueEvents() + atMock[0].engageOps() + atMock[0].groupOps();
    assertThat(now.sum("mixrelay_records_made_total") + 2 * closed).isEqualTo(stored + deadRecords);
    long endsDeadLettered = letters.get().stream()
        .filter(l -> l.endpoint().equals("/import") && l.record().contains("\"Session End\""))
        .count();
    assertThat(closed).isEqualTo(atMock[0].sessionEnds() + endsDeadLettered);
  }

  private static int post(Relay relay, String path, String body) throws Exception {
    String key = relay.config().sources().get(0).writeKey();
    HttpRequest request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + relay.port() + path))
        .header("Content-Type", "application/json")
        .header("Authorization", RelayFixture.basic(key))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static String scrape(Relay relay) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + relay.port() + "/metrics")).GET().build();
    HttpResponse<String> response =
        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  /** A Prometheus text scrape: series summed by name and label values. */
  private static final class Scrape {
    private static final Pattern LINE =
        Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private final String text;

    Scrape(String text) {
      this.text = text;
    }

    /** The sum of the series named {@code name} whose labels match the name/value pairs. */
    double sum(String name, String... labels) {
      double total = 0;
      for (String line : text.split("\n")) {
        Matcher m = LINE.matcher(line);
        if (series(line, m, name, labels)) {
          total += Double.parseDouble(m.group(4));
        }
      }
      return total;
    }

    void assertPresent(String name, String... labels) {
      assertThat(has(name, labels)).as("a series " + name + " " + String.join(",", labels) + " in\n"
          + text).isTrue();
    }

    boolean has(String name, String... labels) {
      for (String line : text.split("\n")) {
        if (series(line, LINE.matcher(line), name, labels)) {
          return true;
        }
      }
      return false;
    }

    private static boolean series(String line, Matcher m, String name, String... labels) {
      return !line.startsWith("#") && m.matches() && m.group(1).equals(name)
          && matches(m.group(3), labels);
    }

    private static boolean matches(String labelText, String... wanted) {
      Map<String, String> have = new java.util.HashMap<>();
      if (labelText != null) {
        Matcher l = LABEL.matcher(labelText);
        while (l.find()) {
          have.put(l.group(1), l.group(2));
        }
      }
      for (int i = 0; i < wanted.length; i += 2) {
        if (!wanted[i + 1].equals(have.get(wanted[i]))) {
          return false;
        }
      }
      return true;
    }
  }
}

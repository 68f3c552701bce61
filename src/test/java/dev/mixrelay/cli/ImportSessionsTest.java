package dev.mixrelay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.ConfigLoader;
import dev.mixrelay.config.SessionConfig;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.mock.MockMixpanel;
import dev.mixrelay.session.ReferenceSessions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 through {@code import}: an archive of Segment messages (each with {@code receivedAt},
 * so its timestamp is kept) sorted by user, and the same sorted by time, give the mock Mixpanel
 * exactly the sessions of the batch reference over the events it received, at the default
 * session settings; none is left open in the checkpoint when the import ends.
 */
class ImportSessionsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> SESSION_EVENTS = Set.of("Session Start", "Session End");
  private static final ZoneId ZONE = ZoneId.of("America/New_York");

  @TempDir
  Path dir;
  MockMixpanel mock;
  Path config;
  SessionConfig sessions;
  final ByteArrayOutputStream output = new ByteArrayOutputStream();

  @BeforeEach
  void startMock() throws Exception {
    mock = MockMixpanel.builder().port(0).build().start();
    config = dir.resolve("relay.yaml");
    String yaml = """
        server: { host: 127.0.0.1, port: 0 }
        storage: { dir: "%s", fsync: batch }
        sources:
          - { writeKey: import-key, destination: main }
        destinations:
          main:
            token: t
            apiSecret: s
            apiHost: "%s"
            sessions: { timezone: America/New_York }
        logging: { level: WARN }
        """.formatted(dir.resolve("data").toString().replace("\\", "/"), mock.baseUrl());
    Files.writeString(config, yaml);
    sessions = ConfigLoader.parse(yaml, Map.of(), "import-sessions").destinations().get("main")
        .sessions();
  }

  @AfterEach
  void stopMock() {
    mock.stop();
  }

  @Test
  @DisplayName("an archive sorted by user gives the reference sessions, all sent when it ends")
  void anArchiveSortedByUserGivesTheReferenceSessions() throws Exception {
    List<ObjectNode> messages = archive(80, 23);
    // as generated: one user's whole history (all devices) after another
    assertThat(messages).isSortedAccordingTo(Comparator.comparingInt(ImportSessionsTest::person));
    assertImportGivesTheReferenceSessions(messages);
  }

  @Test
  @DisplayName("an archive sorted by time gives the reference sessions, all sent when it ends")
  void anArchiveSortedByTimeGivesTheReferenceSessions() throws Exception {
    List<ObjectNode> messages = archive(80, 29);
    messages.sort(Comparator.comparing((ObjectNode m) -> m.get("timestamp").asText()));
    assertImportGivesTheReferenceSessions(messages);
  }

  private void assertImportGivesTheReferenceSessions(List<ObjectNode> messages) throws Exception {
    Path file = dir.resolve("archive.ndjson");
    StringBuilder sb = new StringBuilder();
    messages.forEach(m -> sb.append(m).append('\n'));
    Files.writeString(file, sb);

    int code = new ImportCommand(new PrintStream(output, true, StandardCharsets.UTF_8))
        .run(List.of(file.toString(), "--config", config.toString()));

    assertThat(code).as(output.toString()).isZero();
    assertThat(output.toString()).contains("accepted " + String.format("%,d", messages.size()));
    List<ObjectNode> events = new ArrayList<>();
    for (MixpanelRecord r : mock.events()) {
      if (!SESSION_EVENTS.contains(r.eventName())) {
        events.add((ObjectNode) r.body());
      }
    }
    List<String> expected = new ReferenceSessions(sessions).sessions(events);
    assertThat(expected).hasSizeGreaterThan(200);
    assertThat(ReferenceSessions.lines(mock.sessions())).isEqualTo(expected);
    assertThat(mock.counts().duplicates()).isZero();
  }

  /** The user a message belongs to (its messageId is is-user-n). */
  private static int person(ObjectNode m) {
    return Integer.parseInt(m.get("messageId").asText().split("-")[1]);
  }

  /**
   * Users' histories four to six days ago (New York time): anonymous pages on a device, a login
   * (identify with both ids), tracks with both ids, a comeback after more than the timeout with
   * a server-side event (userId only), some late in the evening so a session runs into local
   * midnight, and some logging in on a second device. Each user's events are seconds apart.
   */
  private static List<ObjectNode> archive(int users, long seed) {
    Random rnd = new Random(seed);
    LocalDate day = LocalDate.now(ZONE).minusDays(5);
    List<ObjectNode> out = new ArrayList<>();
    for (int u = 0; u < users; u++) {
      long t = day.plusDays(u % 2).atStartOfDay(ZONE).toInstant()
          .plus(u % 5 == 0 ? 23 * 60 + 40 : 8 * 60 + rnd.nextInt(600), ChronoUnit.MINUTES)
          .toEpochMilli();
      String user = "user-" + u;
      String device = "dev-" + u + "-a";
      int n = 0;
      for (int i = 0, k = 2 + rnd.nextInt(4); i < k; i++) {
        out.add(message("page", u, n++, t, null, device).put("name", "Home"));
        t += (20 + rnd.nextInt(200)) * 1000L;
      }
      out.add(message("identify", u, n++, t, user, device));
      t += 5_000;
      for (int i = 0, k = 1 + rnd.nextInt(5); i < k; i++) {
        out.add(message("track", u, n++, t, user, device).put("event", "Product Viewed"));
        t += (10 + rnd.nextInt(400)) * 1000L;
      }
      if (rnd.nextBoolean()) {
        t += (31 + rnd.nextInt(120)) * 60_000L; // past the 30-minute timeout: a second session
        out.add(message("track", u, n++, t, user, null).put("event", "Invoice Paid"));
        t += 30_000;
        out.add(message("track", u, n++, t, user, device).put("event", "Product Viewed"));
        t += 20_000;
      }
      if (rnd.nextInt(3) == 0) {
        String second = "dev-" + u + "-b";
        t += (rnd.nextBoolean() ? 5 : 50) * 60_000L;
        out.add(message("screen", u, n++, t, null, second).put("name", "Dashboard"));
        t += 40_000;
        out.add(message("track", u, n++, t, user, second).put("event", "Logged In"));
        t += 60_000;
        out.add(message("track", u, n++, t, user, second).put("event", "Order Completed"));
      }
    }
    return out;
  }

  private static ObjectNode message(String type, int u, int n, long t, String user,
      String device) {
    ObjectNode m = JSON.createObjectNode().put("type", type).put("messageId", "is-" + u + "-" + n)
        .put("timestamp", Instant.ofEpochMilli(t).toString())
        .put("receivedAt", Instant.ofEpochMilli(t + 700).toString());
    if (user != null) {
      m.put("userId", user);
    }
    if (device != null) {
      m.put("anonymousId", device);
    }
    m.putObject("context").put("ip", "198.51.100." + (u % 200));
    if (type.equals("track")) {
      m.putObject("properties").put("n", n);
    }
    return m;
  }
}

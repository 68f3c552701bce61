package dev.mixrelay.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.MixpanelSettings;
import dev.mixrelay.config.SessionConfig;
import dev.mixrelay.config.SessionConfig.Mode;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The end of a finite input ({@code import}): what the close rules would close once the grace
 * passed and the destination's time reached the given time is closed; what could go on stays.
 */
class SessionizerInputEndTest {
  private static final long MIN = 60_000;
  private static final long T0 = 1_709_629_200_000L; // 2024-03-05T09:00:00Z
  private static final long WALL = T0 + 30L * 24 * 60 * MIN; // the import runs a month later

  private static Sessionizer sessionizer(Mode mode) {
    return Sessionizer.create(new SessionConfig(mode, Duration.ofMinutes(30), "Login", "Logout",
        "sid", "UTC", null, null, Duration.ofHours(1), null, null, 1000, null),
        MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE, null);
  }

  private static MixpanelRecord event(String name, long time, String user) {
    ObjectNode p = JsonNodeFactory.instance.objectNode();
    p.put("time", time);
    p.put("distinct_id", user);
    p.put("$user_id", user);
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("event", name);
    body.set("properties", p);
    return new MixpanelRecord(Endpoint.IMPORT, body);
  }

  private static List<String> summary(List<MixpanelRecord> records) {
    return records.stream().map(r -> r.eventName() + "@" + (r.properties().get("time").asLong()
        - T0) / MIN + " " + r.properties().get("distinct_id").asText()).sorted().toList();
  }

  @Test
  void aBackfillsLastSessionsCloseWhenTheInputEndsAndHeldEventsArePlaced() {
    Sessionizer s = sessionizer(Mode.timeout);
    List<MixpanelRecord> out = new ArrayList<>();
    long offset = 0;
    // user-sorted: a's history, then b's, all within seconds of wall clock
    out.addAll(s.onEvents(++offset, List.of(event("A1", T0, "a")), WALL));
    out.addAll(s.onEvents(++offset, List.of(event("A2", T0 + 5 * MIN, "a")), WALL));
    out.addAll(s.onEvents(++offset, List.of(event("B1", T0 + 2 * MIN, "b")), WALL));
    // within b's allowedLateness: held, placed at its time
    out.addAll(s.onEvents(++offset, List.of(event("B0", T0 + MIN, "b")), WALL));
    assertThat(s.heldEvents()).isPositive();

    out.addAll(s.onInputEnd(WALL));

    assertThat(summary(out)).containsExactly("Session End@2 b", "Session End@5 a",
        "Session Start@0 a", "Session Start@1 b");
    assertThat(s.openSessions()).isZero();
    assertThat(s.heldEvents()).isZero();
    // the input is over for them: an event in a sent session is late, not a second session
    assertThat(s.onEvents(++offset, List.of(event("A3", T0 + 10 * MIN, "a")), WALL)).isEmpty();
    assertThat(s.onInputEnd(WALL)).isEmpty();
  }

  @Test
  void aSessionThatCouldStillGoOnAfterTheInputsTimeStaysOpen() {
    Sessionizer s = sessionizer(Mode.timeout);
    s.onEvents(1, List.of(event("old", T0, "a")), WALL);
    s.onEvents(2, List.of(event("recent", WALL - 10 * MIN, "b")), WALL);

    assertThat(summary(s.onInputEnd(WALL))).containsExactly("Session End@0 a",
        "Session Start@0 a");
    assertThat(s.openSessions()).isOne();
    assertThat(s.openSession("b")).isNotNull();
  }

  @Test
  void inEventModeASessionClosesWhenItsLocalDayIsOverAtTheInputsTime() {
    Sessionizer s = sessionizer(Mode.event);
    s.onEvents(1, List.of(event("Login", T0, "a")), WALL);
    s.onEvents(2, List.of(event("Viewed", T0 + MIN, "a")), WALL);

    assertThat(summary(s.onInputEnd(T0 + 10 * MIN))).isEmpty();
    assertThat(s.openSessions()).isOne();
    // without an end event, an event-mode session has a Session Start only
    assertThat(summary(s.onInputEnd(WALL))).containsExactly("Session Start@0 a");
    assertThat(s.openSessions()).isZero();
  }
}

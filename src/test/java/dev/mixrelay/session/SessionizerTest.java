package dev.mixrelay.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.MixpanelSettings;
import dev.mixrelay.config.SessionConfig;
import dev.mixrelay.config.SessionConfig.Mode;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.session.SessionListener.Reason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The live-stream rules of the runtime: lateness, watermark and wall-clock closing, state. */
class SessionizerTest {
  private static final long MIN = 60_000;
  private static final long T0 = 1_709_629_200_000L; // 2024-03-05T09:00:00Z

  private final List<String> seen = new ArrayList<>();
  private final SessionListener listener = new SessionListener() {
    @Override
    public void sessionOpened() {
      seen.add("opened");
    }

    @Override
    public void sessionClosed(Reason reason) {
      seen.add("closed " + reason);
    }

    @Override
    public void lateEvent() {
      seen.add("late");
    }

    @Override
    public void sessionRekeyed() {
      seen.add("rekeyed");
    }

    @Override
    public void userSpilled() {
      seen.add("spilled");
    }
  };

  private static SessionConfig config(Mode mode, int maxUsers) {
    return new SessionConfig(mode, Duration.ofMinutes(30), "Login", "Logout", "sid", "UTC",
        null, null, Duration.ofMinutes(1), null, null, maxUsers, null);
  }

  private Sessionizer sessionizer(SessionConfig c) {
    return Sessionizer.create(c, MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE, listener);
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
        - T0) / MIN + " " + r.properties().get("distinct_id").asText()).toList();
  }

  @Test
  void aQuietLiveStreamClosesTheSessionOnTheWallClock() {
    Sessionizer s = sessionizer(config(Mode.timeout, 100));
    assertThat(s.onEvents(1, List.of(event("A", T0, "u")), T0)).isEmpty();
    assertThat(s.onEvents(2, List.of(event("B", T0 + 5 * MIN, "u")), T0 + 5 * MIN)).isEmpty();
    assertThat(s.onTick(T0 + 35 * MIN + 59_999)).isEmpty();
    assertThat(summary(s.onTick(T0 + 36 * MIN)))
        .containsExactly("Session Start@0 u", "Session End@5 u");
    assertThat(s.openSessions()).isZero();
    assertThat(seen).containsExactly("opened", "closed WALL_CLOCK");
  }

  @Test
  void aBackfillClosesAQuietUsersSessionOnceTheDestinationsTimeMovesPastIt() {
    Sessionizer s = sessionizer(config(Mode.timeout, 100));
    long wall = T0 + 400 * 86_400_000L; // a year later
    assertThat(s.onEvents(1, List.of(event("A", T0, "u"), event("A", T0 + MIN, "v")), wall))
        .isEmpty();
    assertThat(s.onEvents(2, List.of(event("B", T0 + 30 * MIN, "v")), wall)).isEmpty();
    assertThat(s.onEvents(3, List.of(event("C", T0 + 32 * MIN, "v")), wall)).isEmpty();
    assertThat(s.onTick(wall + 4_999)).isEmpty(); // u may still be sending its block
    assertThat(summary(s.onTick(wall + 5_000)))
        .containsExactly("Session Start@0 u", "Session End@0 u");
  }

  @Test
  void aUsersOwnStreamClosesItsSessionWhateverOtherUsersDo() {
    Sessionizer s = sessionizer(config(Mode.timeout, 100));
    long wall = T0 + 400 * 86_400_000L;
    s.onEvents(1, List.of(event("A", T0 + 500 * MIN, "v")), wall); // another user far ahead
    assertThat(s.onEvents(2, List.of(event("A", T0, "u")), wall)).isEmpty();
    assertThat(s.onEvents(3, List.of(event("B", T0 + 30 * MIN, "u")), wall)).isEmpty();
    assertThat(summary(s.onEvents(4, List.of(event("C", T0 + 31 * MIN, "u")), wall)))
        .containsExactly("Session Start@0 u", "Session End@0 u");
    assertThat(seen).doesNotContain("late");
  }

  @Test
  void anEventLaterThanTheLatenessIsCountedAndNotSessionized() {
    Sessionizer s = sessionizer(config(Mode.timeout, 100));
    s.onEvents(1, List.of(event("A", T0 + 10 * MIN, "u")), T0 + 10 * MIN);
    s.onEvents(2, List.of(event("Old", T0 + 8 * MIN, "u")), T0 + 10 * MIN);
    s.onEvents(3, List.of(event("Ok", T0 + 9 * MIN + 1, "u")), T0 + 10 * MIN);
    s.onEvents(4, List.of(event("Other", T0 + 2 * MIN, "w")), T0 + 10 * MIN); // w's own time
    assertThat(seen).containsExactly("late"); // the others are held, not yet placed
    assertThat(summary(s.onTick(T0 + 100 * MIN))).containsExactlyInAnyOrder(
        "Session Start@9 u", "Session End@10 u", "Session Start@2 w", "Session End@2 w");
  }

  @Test
  void pastMaxHeldEventsTheOldestArePlacedAndOlderArrivalsCountAsLate() {
    SessionConfig c = new SessionConfig(Mode.timeout, Duration.ofMinutes(30), null, null, null,
        "UTC", null, null, Duration.ofHours(1), null, null, 100, 1_000);
    Sessionizer s = sessionizer(c);
    for (int i = 0; i < 1_500; i++) { // one user, an event a second: all within the hour's lateness
      s.onEvents(i + 1, List.of(event("E", T0 + i * 1000L, "u")), T0 + i * 1000L);
    }
    assertThat(s.heldEvents()).isEqualTo(1_000);
    s.onEvents(2_000, List.of(event("Old", T0 + 100_000, "u")), T0 + 1_500_000);
    assertThat(seen).containsExactly("opened", "late");
    assertThat(summary(s.onTick(T0 + 200 * MIN)))
        .containsExactly("Session Start@0 u", "Session End@24 u");
  }

  @Test
  void aRetriedEventIsCountedOnce() {
    Sessionizer s = sessionizer(config(Mode.timeout, 100));
    MixpanelRecord a = event("A", T0, "u");
    a.properties().put("$insert_id", "id-1");
    s.onEvents(1, List.of(a, event("B", T0 + MIN, "u")), T0);
    s.onEvents(2, List.of(a), T0 + MIN);
    List<MixpanelRecord> out = s.onTick(T0 + 100 * MIN);
    assertThat(out.get(0).properties().get(SessionRecords.COUNT).asInt()).isEqualTo(2);
  }

  @Test
  void aReplayOfOffsetsAlreadyReflectedChangesNothing() {
    Sessionizer s = sessionizer(config(Mode.timeout, 100));
    s.onEvents(5, List.of(event("A", T0, "u")), T0);
    s.onEvents(5, List.of(event("B", T0 + MIN, "u")), T0);
    s.onEvents(4, List.of(event("C", T0 + MIN, "u")), T0);
    List<MixpanelRecord> out = s.onTick(T0 + 100 * MIN);
    assertThat(out.get(0).properties().get(SessionRecords.COUNT).asInt()).isEqualTo(1);
  }

  @Test
  void heldEventsWaitForTheWatermarkAndSetTheCheckpointableOffset() {
    Sessionizer s = sessionizer(config(Mode.timeout, 100));
    s.onEvents(7, List.of(event("A", T0, "u")), T0);
    assertThat(s.heldEvents()).isEqualTo(1);
    assertThat(s.checkpointableOffset()).isEqualTo(7);
    s.onEvents(8, List.of(event("B", T0 + 2 * MIN, "v")), T0 + 2 * MIN);
    assertThat(s.heldEvents()).isEqualTo(2); // each user's own time: u's A still waits
    s.onEvents(9, List.of(event("C", T0 + 2 * MIN, "u")), T0 + 2 * MIN);
    assertThat(s.heldEvents()).isEqualTo(2);
    assertThat(s.openSessions()).isEqualTo(1);
    assertThat(s.checkpointableOffset()).isEqualTo(7);
    assertThat(s.snapshotOffset()).isEqualTo(9);
    s.onTick(T0 + 200 * MIN);
    assertThat(s.checkpointableOffset()).isEqualTo(10);
  }

  @Test
  void eventModeClosesAnOpenSessionOnlyAfterItsLocalDay() {
    Sessionizer s = sessionizer(config(Mode.event, 100));
    s.onEvents(1, List.of(event("Login", T0, "u")), T0);
    assertThat(s.onTick(T0 + 600 * MIN)).isEmpty();
    List<MixpanelRecord> out = s.onTick(T0 + 15 * 60 * MIN + MIN); // 00:00 UTC + lateness
    assertThat(summary(out)).containsExactly("Session Start@0 u");
    assertThat(out.get(0).properties().has(SessionRecords.DURATION)).isFalse();
  }

  @Test
  void usersBeyondTheMemoryCapAreSpilledAndComeBackIntact() {
    Sessionizer s = sessionizer(config(Mode.timeout, 2));
    for (int i = 0; i < 50; i++) {
      s.onEvents(i, List.of(event("A", T0 + i, "u" + i)), T0);
    }
    for (int i = 0; i < 50; i++) {
      s.onEvents(100 + i, List.of(event("B", T0 + MIN * 2 + i, "u" + i)), T0 + 2 * MIN);
    }
    assertThat(seen).contains("spilled");
    assertThat(s.openSessions()).isEqualTo(50);
    List<MixpanelRecord> out = s.onTick(T0 + 100 * MIN);
    assertThat(out).hasSize(100)
        .allSatisfy(r -> assertThat(r.properties().get(SessionRecords.COUNT).asInt()).isEqualTo(2));
  }

  @Test
  void anOriginalModeIdentifyCarriesTheAnonymousSessionOver() {
    Sessionizer s = sessionizer(config(Mode.timeout, 100));
    MixpanelRecord anon = event("View", T0, "anon-1");
    anon.properties().remove("$user_id");
    MixpanelRecord identify = event("$identify", T0 + MIN, "user-1");
    identify.properties().remove("$user_id");
    identify.properties().put("$anon_id", "anon-1");
    identify.properties().put("$identified_id", "user-1");
    s.onEvents(1, List.of(anon, identify, event("Buy", T0 + 2 * MIN, "user-1")), T0);
    List<MixpanelRecord> out = s.onTick(T0 + 100 * MIN);
    assertThat(summary(out)).containsExactly("Session Start@0 user-1", "Session End@2 user-1");
    assertThat(out.get(0).properties().get(SessionRecords.COUNT).asInt()).isEqualTo(2);
    assertThat(seen).contains("rekeyed");
  }

  @Test
  void aSnapshotOfAnotherDefinitionIsRefused() {
    Sessionizer s = sessionizer(config(Mode.timeout, 100));
    s.onEvents(1, List.of(event("A", T0, "u")), T0);
    byte[] snapshot = s.snapshot();
    Sessionizer other = sessionizer(config(Mode.event, 100));
    assertThatThrownBy(() -> other.restore(snapshot))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another session");
    assertThat(other.openSessions()).isZero();
    assertThatThrownBy(() -> other.restore(new byte[] {1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void profileRecordsAndUntimedEventsAreIgnored() {
    Sessionizer s = sessionizer(config(Mode.timeout, 100));
    ObjectNode engage = JsonNodeFactory.instance.objectNode().put("$distinct_id", "u");
    MixpanelRecord untimed = event("A", T0, "u");
    untimed.properties().remove("time");
    s.onEvents(1, List.of(new MixpanelRecord(Endpoint.ENGAGE, engage), untimed), T0);
    assertThat(s.heldEvents()).isZero();
    assertThat(s.onTick(T0 + 100 * MIN)).isEmpty();
  }

  @Test
  void modeOffEmitsNothing() {
    Sessionizer s = sessionizer(config(Mode.off, 100));
    assertThat(s.onEvents(1, List.of(event("A", T0, "u")), T0)).isEmpty();
    assertThat(s.onTick(T0 + 100 * MIN)).isEmpty();
    assertThat(s.snapshotOffset()).isEqualTo(1);
  }

  @Test
  void openSessionShowsThePlacedEventsAndTheStartInsertIdItWillEmit() {
    Sessionizer s = sessionizer(config(Mode.timeout, 100));
    s.onEvents(1, List.of(event("A", T0, "u")), T0);
    s.onEvents(2, List.of(event("B", T0 + 5 * MIN, "u")), T0 + 5 * MIN);
    assertThat(s.openSession("u").eventCount()).as("B waits for the watermark").isEqualTo(1);
    s.onTick(T0 + 7 * MIN); // a minute (the lateness) without events: the watermark catches up
    OpenSession open = s.openSession("u");
    assertThat(open).isNotNull();
    assertThat(open.key()).isEqualTo("u");
    assertThat(open.user()).isTrue();
    assertThat(open.startMillis()).isEqualTo(T0);
    assertThat(open.lastEventMillis()).isEqualTo(T0 + 5 * MIN);
    assertThat(open.eventCount()).isEqualTo(2);
    assertThat(open.startEventName()).isEqualTo("A");
    assertThat(open.lastEventName()).isEqualTo("B");
    assertThat(s.openSession("other")).isNull();
    assertThat(s.openSession(null)).isNull();
    List<MixpanelRecord> out = s.onTick(T0 + 100 * MIN);
    assertThat(out.get(0).properties().get("$insert_id").asText()).isEqualTo(open.startInsertId());
    assertThat(s.openSession("u")).isNull();
  }

  @Test
  void openSessionReadsASpilledUserWithoutTakingItBack() {
    Sessionizer s = sessionizer(config(Mode.timeout, 2));
    for (int i = 0; i < 20; i++) {
      s.onEvents(i, List.of(event("A", T0 + i, "u" + i)), T0);
    }
    s.onTick(T0 + 2 * MIN);
    byte[] before = s.snapshot();
    for (int i = 0; i < 20; i++) {
      assertThat(s.openSession("u" + i)).extracting(OpenSession::eventCount).isEqualTo(1);
    }
    assertThat(s.snapshot()).isEqualTo(before);
    assertThat(s.openSessions()).isEqualTo(20);
  }
}

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

/**
 * A stream split over two tasks: {@code device} owns every key but the user's, {@code user} owns
 * {@code "u"} (and {@code "user-1"}). The router's share is played by hand: the device's anonymous
 * events go to {@code device}, the login and what follows to {@code user}, a link-only
 * {@code $identify} copy of the login to {@code device}.
 */
class SessionizerSplitTest {
  private static final long MIN = 60_000;
  private static final long SEC = 1_000;
  private static final long T0 = 1_709_629_200_000L; // 2024-03-05T09:00:00Z
  private static final SessionConfig CONFIG = new SessionConfig(Mode.timeout,
      Duration.ofMinutes(30), null, null, null, "UTC", null, null, Duration.ofMinutes(1), null,
      null, 100, null);

  private final List<String> seen = new ArrayList<>();
  private final SessionListener listener = new SessionListener() {
    @Override
    public void sessionClosed(Reason reason) {
      seen.add("closed " + reason);
    }

    @Override
    public void sessionRekeyed() {
      seen.add("rekeyed");
    }

    @Override
    public void handoffMissed() {
      seen.add("missed");
    }

    @Override
    public void duplicateHandoff() {
      seen.add("duplicate");
    }
  };
  private final Sessionizer device = task(false, 30 * SEC);
  private Sessionizer user = task(true, 30 * SEC);
  private final List<MixpanelRecord> out = new ArrayList<>();
  private int ids;

  private Sessionizer task(boolean ownsUsers, long carryWait) {
    return Sessionizer.create(CONFIG, MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE, listener,
        key -> ownsUsers == (key.equals("u") || key.equals("user-1")), carryWait);
  }

  private MixpanelRecord event(String name, long time, String userId, String deviceId) {
    ObjectNode p = JsonNodeFactory.instance.objectNode();
    p.put("time", time);
    p.put("distinct_id", userId != null ? userId : "$device:" + deviceId);
    if (userId != null) {
      p.put("$user_id", userId);
    }
    if (deviceId != null) {
      p.put("$device_id", deviceId);
    }
    p.put("$insert_id", "id-" + ++ids);
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("event", name);
    body.set("properties", p);
    return new MixpanelRecord(Endpoint.IMPORT, body);
  }

  private void feed(Sessionizer s, long offset, MixpanelRecord r) {
    long time = r.properties().get("time").asLong();
    out.addAll(s.onEvents(offset, List.of(r), time));
  }

  /** Gives the device task's handoffs to the user task. */
  private List<Handoff> handOver(long wall) {
    List<Handoff> sent = device.takeHandoffs();
    for (Handoff h : sent) {
      out.addAll(user.adopt(Handoff.fromBytes(h.toBytes()), wall));
    }
    return sent;
  }

  private void flush(long wall) {
    out.addAll(device.onTick(wall));
    out.addAll(user.onTick(wall));
  }

  private static List<String> summary(List<MixpanelRecord> records) {
    return records.stream().map(r -> r.eventName() + "@" + (r.properties().get("time").asLong()
        - T0) / MIN + " " + r.properties().get("distinct_id").asText() + " n="
        + r.properties().get(SessionRecords.COUNT)).sorted().toList();
  }

  /** One sessionizer fed the same events, in the same order: what the split must equal. */
  private static List<MixpanelRecord> whole(List<MixpanelRecord> events) {
    Sessionizer one = Sessionizer.create(CONFIG, MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE,
        null);
    List<MixpanelRecord> out = new ArrayList<>();
    long offset = 0;
    for (MixpanelRecord e : events) {
      out.addAll(one.onEvents(++offset, List.of(e), e.properties().get("time").asLong()));
    }
    out.addAll(one.onTick(T0 + 1000 * MIN));
    return out;
  }

  private MixpanelRecord linkCopy(MixpanelRecord login) {
    ObjectNode p = login.properties().deepCopy();
    p.put("$insert_id", "link:" + p.get("$insert_id").asText());
    ObjectNode body = JsonNodeFactory.instance.objectNode().put("event", "$identify");
    body.set("properties", p);
    return new MixpanelRecord(Endpoint.IMPORT, body);
  }

  @Test
  void anAnonymousSessionIsCarriedOverToTheUserOnAnotherTask() {
    MixpanelRecord view = event("View", T0, null, "d");
    MixpanelRecord more = event("View", T0 + 2 * MIN, null, "d");
    MixpanelRecord login = event("Login", T0 + 5 * MIN, "u", "d");
    MixpanelRecord buy = event("Buy", T0 + 7 * MIN, "u", null);
    feed(device, 1, view);
    feed(device, 2, more);
    feed(user, 1, login);
    feed(user, 2, buy); // the watermark passes the login: u waits for d's session
    assertThat(user.parkedEvents()).isEqualTo(1);
    feed(device, 3, linkCopy(login));
    assertThat(handOver(T0 + 7 * MIN)).isEmpty(); // the copy waits for the device's own time

    out.addAll(device.onTick(T0 + 7 * MIN));
    List<Handoff> sent = handOver(T0 + 7 * MIN);

    assertThat(sent).singleElement().satisfies(h -> {
      assertThat(h.userKey()).isEqualTo("u");
      assertThat(h.deviceKey()).isEqualTo("$device:d");
      assertThat(h.time()).isEqualTo(T0 + 5 * MIN);
      assertThat(h.carriesSession()).isTrue();
    });
    assertThat(user.parkedEvents()).isZero();
    assertThat(user.openSession("u").startMillis()).isEqualTo(T0);
    flush(T0 + 100 * MIN);
    assertThat(summary(out)).containsExactly("Session End@7 u n=4", "Session Start@0 u n=4");
    assertThat(GoldenTimelines.sorted(out))
        .isEqualTo(GoldenTimelines.sorted(whole(List.of(view, more, login, buy))));
    assertThat(seen).containsExactly("rekeyed", "closed WALL_CLOCK");
  }

  @Test
  void aUserAlreadyInASessionClosesTheHandedOverDeviceSessionAsACollision() {
    MixpanelRecord view = event("View", T0, null, "d");
    MixpanelRecord own = event("Read", T0 + MIN, "u", null);
    MixpanelRecord login = event("Login", T0 + 5 * MIN, "u", "d");
    MixpanelRecord buy = event("Buy", T0 + 7 * MIN, "u", null);
    feed(device, 1, view);
    feed(user, 1, own);
    feed(user, 2, login);
    feed(user, 3, buy);
    assertThat(user.parkedEvents()).as("u is live: nothing to wait for").isZero();
    feed(device, 2, linkCopy(login));
    out.addAll(device.onTick(T0 + 7 * MIN));

    List<MixpanelRecord> before = new ArrayList<>(out);
    handOver(T0 + 7 * MIN);

    assertThat(summary(out.subList(before.size(), out.size())))
        .containsExactly("Session End@0 $device:d n=1", "Session Start@0 $device:d n=1");
    flush(T0 + 100 * MIN);
    assertThat(GoldenTimelines.sorted(out))
        .isEqualTo(GoldenTimelines.sorted(whole(List.of(view, own, login, buy))));
    assertThat(seen).startsWith("closed REKEY_COLLISION");
  }

  @Test
  void whenNoHandoffComesTheParkedEventsArePlacedAfterCarryWaitAndCounted() {
    MixpanelRecord login = event("Login", T0 + 5 * MIN, "u", "d");
    feed(user, 1, login);
    feed(user, 2, event("Buy", T0 + 7 * MIN, "u", null));
    feed(user, 3, event("Buy", T0 + 8 * MIN, "u", null));
    assertThat(user.parkedEvents()).isEqualTo(2);

    assertThat(user.onTick(T0 + 7 * MIN + 29 * SEC)).isEmpty();
    assertThat(user.parkedEvents()).isEqualTo(2);
    user.onTick(T0 + 7 * MIN + 30 * SEC);

    assertThat(user.parkedEvents()).isZero();
    assertThat(seen).containsExactly("missed");
    assertThat(user.openSession("u").eventCount()).isEqualTo(2);
    // the device's session, when it comes after all, is closed as it is
    feed(device, 1, event("View", T0, null, "d"));
    feed(device, 2, linkCopy(login));
    device.onTick(T0 + 8 * MIN);
    handOver(T0 + 9 * MIN);
    assertThat(summary(out)).containsExactly("Session End@0 $device:d n=1",
        "Session Start@0 $device:d n=1");
  }

  /**
   * A user's parked events are one entry each: parking one more drains that event (and the first,
   * whose halves change in place), not the user's whole list; the entries restore the same parked
   * events, which the handoff then places as the task that parked them would.
   */
  @Test
  void parkingOneMoreEventDrainsThatEventNotTheWholeList() {
    user = task(true, 3_600 * SEC);
    java.util.Map<String, byte[]> store = new java.util.HashMap<>();
    user.drainChanges(SessionizerEntriesPropertiesTest.into(store));
    MixpanelRecord view = event("View", T0, null, "d");
    MixpanelRecord login = event("Login", T0 + 5 * MIN, "u", "d");
    List<MixpanelRecord> events = new ArrayList<>(List.of(view, login));
    feed(user, 1, login);
    user.drainChanges(SessionizerEntriesPropertiesTest.into(store));
    for (int i = 0; i < 40; i++) {
      MixpanelRecord buy = event("Buy", T0 + 7 * MIN + i * 20 * SEC, "u", null);
      events.add(buy);
      feed(user, 2 + i, buy);
      List<String> parkedEntries = new ArrayList<>();
      user.drainChanges((key, value) -> {
        if (key.startsWith("q/")) {
          parkedEntries.add(key);
        }
        SessionizerEntriesPropertiesTest.into(store).accept(key, value);
      });
      assertThat(parkedEntries).as("after %d parked", user.parkedEvents()).hasSizeLessThanOrEqualTo(2);
    }
    assertThat(user.parkedEvents()).isGreaterThan(30);
    assertThat(store.keySet().stream().filter(k -> k.startsWith("q/")))
        .hasSize(user.parkedEvents());

    Sessionizer restored = task(true, 3_600 * SEC);
    restored.restoreEntries(store.entrySet().iterator());
    assertThat(restored.parkedEvents()).isEqualTo(user.parkedEvents());
    user = restored;
    feed(device, 1, view);
    feed(device, 2, linkCopy(login));
    out.addAll(device.onTick(T0 + 10 * MIN));
    handOver(T0 + 10 * MIN);
    assertThat(user.parkedEvents()).isZero();
    java.util.Map<String, byte[]> after = new java.util.HashMap<>(store);
    user.drainChanges(SessionizerEntriesPropertiesTest.into(after));
    assertThat(after.keySet()).noneMatch(k -> k.startsWith("q/") || k.startsWith("a/"));
    flush(T0 + 100 * MIN);
    assertThat(GoldenTimelines.sorted(out)).isEqualTo(GoldenTimelines.sorted(whole(events)));
  }

  @Test
  void aHandoffReplayedAfterARestoreIsIgnored() {
    MixpanelRecord login = event("Login", T0 + 5 * MIN, "u", "d");
    feed(device, 1, event("View", T0, null, "d"));
    feed(device, 2, linkCopy(login));
    device.onTick(T0 + 7 * MIN);
    Handoff h = device.takeHandoffs().get(0);
    feed(user, 1, login);
    feed(user, 2, event("Buy", T0 + 7 * MIN, "u", null));
    byte[] waiting = user.snapshot(); // u waits, its Buy parked
    out.addAll(user.adopt(h, T0 + 7 * MIN));
    byte[] adopted = user.snapshot();

    user = task(true, 30 * SEC);
    user.restore(adopted);
    out.addAll(user.adopt(h, T0 + 8 * MIN)); // the handoff topic is re-read from the last commit
    assertThat(seen).containsExactly("rekeyed", "duplicate");
    flush(T0 + 100 * MIN);
    assertThat(summary(out)).containsExactly("Session End@7 u n=3", "Session Start@0 u n=3");

    Sessionizer fromWaiting = task(true, 30 * SEC);
    fromWaiting.restore(waiting);
    assertThat(fromWaiting.parkedEvents()).isEqualTo(1);
    fromWaiting.adopt(h, T0 + 8 * MIN);
    assertThat(fromWaiting.parkedEvents()).isZero();
    assertThat(fromWaiting.openSession("u").eventCount()).as("Buy waits for the watermark")
        .isEqualTo(2);
  }

  @Test
  void handoffsNotYetTakenArePartOfTheSnapshot() {
    feed(device, 1, event("View", T0, null, "d"));
    feed(device, 2, linkCopy(event("Login", T0 + 5 * MIN, "u", "d")));
    device.onTick(T0 + 7 * MIN);
    Sessionizer restored = task(false, 30 * SEC);
    restored.restore(device.snapshot());
    assertThat(restored.takeHandoffs()).isEqualTo(device.takeHandoffs()).hasSize(1);
    assertThat(restored.takeHandoffs()).isEmpty();
  }

  @Test
  void anOriginalModeIdentifyCarriesTheAnonymousSessionToAnotherTask() {
    MixpanelRecord anon = event("View", T0, "anon-1", null);
    anon.properties().remove("$user_id");
    MixpanelRecord identify = event("$identify", T0 + MIN, "user-1", null);
    identify.properties().remove("$user_id");
    identify.properties().put("$anon_id", "anon-1").put("$identified_id", "user-1");
    MixpanelRecord buy = event("Buy", T0 + 2 * MIN, "user-1", null);
    buy.properties().remove("$user_id");
    feed(device, 1, anon);
    feed(device, 2, identify); // the copy: the identify itself, to the anonymous id's task
    feed(user, 1, identify);
    feed(user, 2, buy);
    device.onTick(T0 + 2 * MIN + 20 * SEC);
    user.onTick(T0 + 2 * MIN + 20 * SEC);
    assertThat(user.parkedEvents()).as("the identify; Buy waits for the user's own time")
        .isEqualTo(1);

    handOver(T0 + 2 * MIN + 20 * SEC);
    flush(T0 + 100 * MIN);

    assertThat(summary(out))
        .containsExactly("Session End@2 user-1 n=2", "Session Start@0 user-1 n=2");
    assertThat(GoldenTimelines.sorted(out))
        .isEqualTo(GoldenTimelines.sorted(whole(List.of(anon, identify, buy))));
  }

  @Test
  void aQuietUsersSessionClosesOnceStreamTimePassesItAndStreamTimeNeverMovesBack() {
    Sessionizer one = Sessionizer.create(CONFIG, MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE,
        listener);
    one.onEvents(1, List.of(event("A", T0, "u", null)), T0);
    assertThat(one.heldEvents()).isEqualTo(1);
    assertThat(one.onStreamTime(T0 + 31 * MIN)).isEmpty(); // u may still be sending
    assertThat(one.heldEvents()).isEqualTo(1);
    assertThat(summary(one.onTick(T0 + 5 * SEC))) // quiet for backfillGrace
        .containsExactly("Session End@0 u n=1", "Session Start@0 u n=1");
    assertThat(one.heldEvents()).isZero();
    assertThat(one.onStreamTime(T0)).isEmpty();
    assertThat(one.onEvents(2, List.of(event("B", T0 + 29 * MIN, "u", null)), T0 + 31 * MIN))
        .isEmpty();
    assertThat(one.heldEvents()).as("within the emitted session's reach: late").isZero();
    assertThat(seen).containsExactly("closed TIMEOUT");
  }

  @Test
  void aHandoffSurvivesItsBytesAndGarbageIsRefused() {
    Handoff h = new Handoff("u", "$device:d", T0, new byte[] {1, 2, 3});
    assertThat(Handoff.fromBytes(h.toBytes())).isEqualTo(h);
    Handoff none = new Handoff("u", "$device:d", T0, null);
    assertThat(Handoff.fromBytes(none.toBytes())).isEqualTo(none).isNotEqualTo(h);
    assertThatThrownBy(() -> Handoff.fromBytes(new byte[] {1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aHandoffForAUserOfAnotherTaskIsRefused() {
    assertThatThrownBy(() -> device.adopt(new Handoff("u", "$device:d", T0, null), T0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not own");
    assertThatThrownBy(() -> Sessionizer.create(CONFIG,
        MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE, null, key -> true, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was -1");
  }
}

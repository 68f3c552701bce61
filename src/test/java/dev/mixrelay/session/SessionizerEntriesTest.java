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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The state as per-key entries: what a drain hands over, and what a restore from them gives. */
class SessionizerEntriesTest {
  private static final long MIN = 60_000;
  private static final long T0 = 1_709_629_200_000L; // 2024-03-05T09:00:00Z

  private static SessionConfig config(String zone, int maxUsers) {
    return new SessionConfig(Mode.timeout, Duration.ofMinutes(30), null, null, null, zone, null,
        null, Duration.ofMinutes(1), null, null, maxUsers, null);
  }

  private static Sessionizer sessionizer(SessionConfig c) {
    return Sessionizer.create(c, MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE,
        SessionListener.NONE);
  }

  private static MixpanelRecord event(String user, String device, long time, String id) {
    ObjectNode p = JsonNodeFactory.instance.objectNode();
    p.put("time", time);
    p.put("distinct_id", user != null ? user : "$device:" + device);
    if (user != null) {
      p.put("$user_id", user);
    }
    if (device != null) {
      p.put("$device_id", device);
    }
    p.put("$insert_id", id);
    ObjectNode e = JsonNodeFactory.instance.objectNode();
    e.put("event", "View");
    e.set("properties", p);
    return new MixpanelRecord(Endpoint.IMPORT, e);
  }

  @Test
  void aCallTouchingOneUserOutOf10000DrainsAHandfulOfEntries() {
    Sessionizer z = sessionizer(config("UTC", 3_000)); // most users spilled, no link dropped
    List<MixpanelRecord> batch = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      batch.add(event("u" + i, "d" + i, T0 + i, "e" + i));
    }
    z.onEvents(0, batch, T0);
    z.onTick(T0 + 2 * MIN); // quiet for allowedLateness: places them all, 10,000 open sessions
    z.onStreamTime(T0 + 10_000 + 2 * MIN); // the destination's time passed their placed keys
    Map<String, byte[]> store = new HashMap<>();
    z.drainChanges(SessionizerEntriesPropertiesTest.into(store));
    assertThat(z.openSessions()).isEqualTo(10_000);
    assertThat(store).containsKeys("f", "s", "u/u0", "u/u9999", "l/d0", "l/d9999")
        .doesNotContainKey("t/u42"); // a timeline with nothing held is the open session's

    List<String> drained = new ArrayList<>();
    z.onEvents(1, List.of(event(null, "d42", T0 + 3 * MIN, "again")), T0 + MIN);
    z.onTick(T0 + 3 * MIN);
    z.drainChanges((key, value) -> drained.add(key + (value == null ? " removed" : "")));

    // the event was held and placed between two drains: no h/ entry; u42's timeline came and
    // went; its placed key is kept while the destination's time has not passed it
    assertThat(drained).hasSize(5).contains("l/d42", "u/u42", "s", "t/u42 removed")
        .contains("p/" + DedupKey.stored("View\n$device:d42\n" + (T0 + 3 * MIN) + "\nagain"));
  }

  @Test
  void placedKeysStoredUnderTheirFullKeysMoveToTheirCompactOnesAndStillCatchDuplicates() {
    Sessionizer z = sessionizer(config("UTC", 100));
    z.onEvents(0, List.of(event("u", "d", T0, "e1")), T0);
    z.onEvents(1, List.of(event("u", "d", T0 + MIN, "e2")), T0 + MIN); // places e1, keeps its key
    Map<String, byte[]> store = new HashMap<>();
    z.drainChanges(SessionizerEntriesPropertiesTest.into(store));
    String compact = "p/" + DedupKey.stored("View\nu\n" + T0 + "\ne1");
    String full = "p/View\nu\n" + T0 + "\ne1"; // as a state of before 2026-12 keeps it
    assertThat(store).containsKey(compact);
    store.put(full, store.remove(compact));

    int[] duplicates = {0};
    Sessionizer r = Sessionizer.create(config("UTC", 100),
        MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE, new SessionListener() {
          @Override
          public void duplicateEvent() {
            duplicates[0]++;
          }
        });
    r.restoreEntries(store.entrySet().iterator());
    Map<String, byte[]> rewritten = new HashMap<>();
    r.drainChanges(rewritten::put);
    assertThat(rewritten).containsEntry(full, null);
    assertThat(rewritten.get(compact)).isNotNull();

    r.onEvents(2, List.of(event("u", "d", T0, "e1")), T0 + 2 * MIN);
    assertThat(duplicates[0]).isEqualTo(1);
  }

  @Test
  void aDrainRightAfterAnotherHandsNothing() {
    Sessionizer z = sessionizer(config("UTC", 10));
    z.onEvents(0, List.of(event("u", "d", T0, "a")), T0);
    z.drainChanges((key, value) -> { });
    List<String> drained = new ArrayList<>();
    z.drainChanges((key, value) -> drained.add(key));
    assertThat(drained).isEmpty();
  }

  @Test
  void entriesOfAnotherDefinitionAreRefusedAndLeaveTheStateEmpty() {
    Sessionizer z = sessionizer(config("UTC", 10));
    z.onEvents(0, List.of(event("u", "d", T0, "a")), T0);
    Map<String, byte[]> store = new HashMap<>();
    z.drainChanges(SessionizerEntriesPropertiesTest.into(store));

    Sessionizer other = sessionizer(config("Europe/Berlin", 10));
    other.onEvents(0, List.of(event("v", "e", T0, "b")), T0);
    assertThatThrownBy(() -> other.restoreEntries(store.entrySet().iterator()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("definition");
    assertThat(other.heldEvents()).isZero();
    assertThat(other.snapshotOffset()).isEqualTo(-1);
  }

  @Test
  void noEntriesRestoreAnEmptyStateWhoseFirstDrainWritesTheFingerprint() {
    Sessionizer z = sessionizer(config("UTC", 10));
    z.restoreEntries(Map.<String, byte[]>of().entrySet().iterator());
    Map<String, byte[]> store = new HashMap<>();
    z.drainChanges(SessionizerEntriesPropertiesTest.into(store));
    assertThat(store).containsKeys("f", "s");
  }

  @Test
  void aSnapshotRestoredWhileDrainingRemovesTheEntriesOfTheStateItReplaced() {
    Sessionizer z = sessionizer(config("UTC", 10));
    byte[] empty = z.snapshot();
    z.onEvents(0, List.of(event("u", "d", T0, "a")), T0);
    z.onTick(T0 + 2 * MIN);
    Map<String, byte[]> store = new HashMap<>();
    z.drainChanges(SessionizerEntriesPropertiesTest.into(store));
    assertThat(store).containsKeys("u/u", "l/d");

    z.restore(empty);
    z.drainChanges(SessionizerEntriesPropertiesTest.into(store));
    assertThat(store).containsOnlyKeys("f", "s");
    Sessionizer restored = sessionizer(config("UTC", 10));
    restored.restoreEntries(store.entrySet().iterator());
    assertThat(NormalState.of(restored.snapshot())).isEqualTo(NormalState.of(empty));
  }
}

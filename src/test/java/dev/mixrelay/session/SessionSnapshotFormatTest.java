package dev.mixrelay.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.MixpanelSettings;
import dev.mixrelay.config.SessionConfig;
import dev.mixrelay.config.SessionConfig.Mode;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Frozen snapshots of earlier formats still restore: checkpoints in the intake log outlive an
 * upgrade. {@code snapshot-v2.bin} holds held events, a device link and spilled users (two in
 * memory) of eight events at 09:00–09:07 UTC on 2024-03-05; restored and given one more event, it
 * gives the sessions in {@code snapshot-v2.expected.json}. {@code snapshot-v3.bin} is a task owning
 * u, w, x and {@code $device:e} of a split stream: u adopted its device's session, w waits for one
 * with two parked events ({@code handoff-v1.bin} brings it), x's handoff came before x's login, and
 * e's handoff to v was not taken yet; the handoff files are Kafka record values.
 */
class SessionSnapshotFormatTest {
  private static final Path DIR = Path.of("src/test/resources/dev/mixrelay/session");
  private static final long MIN = 60_000;
  private static final long T0 = 1_709_629_200_000L;
  private static final SessionConfig CONFIG_V3 = new SessionConfig(Mode.timeout,
      Duration.ofMinutes(30), null, null, null, "Europe/Berlin", null, null,
      Duration.ofMinutes(1), null, null, 100, null);

  @Test
  void aVersion2SnapshotRestoresToTheSameSessions() throws IOException {
    SessionConfig c = new SessionConfig(Mode.timeout, Duration.ofMinutes(30), null, null, null,
        "Europe/Berlin", null, null, Duration.ofMinutes(1), null, null, 2, null);
    Sessionizer s = Sessionizer.create(c, MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE, null);
    s.restore(Files.readAllBytes(DIR.resolve("snapshot-v2.bin")));
    assertThat(s.snapshotOffset()).isEqualTo(17);

    List<MixpanelRecord> out = new ArrayList<>(s.onEvents(18,
        List.of(anonymous("Buy", T0 + 9 * MIN, "d1", "a9")), T0 + 9 * MIN));
    out.addAll(s.onTick(T0 + 3 * 86_400_000L));

    assertThat(GoldenTimelines.sorted(out))
        .isEqualTo(GoldenTimelines.read(DIR.resolve("snapshot-v2.expected.json")));
  }

  @Test
  void aVersion3SnapshotOfASplitTaskKeepsItsHandoffsAndParkedEvents() throws IOException {
    Set<String> mine = Set.of("u", "w", "x", "$device:e");
    Sessionizer s = Sessionizer.create(CONFIG_V3, MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE,
        null, mine::contains, 30_000);
    s.restore(Files.readAllBytes(DIR.resolve("snapshot-v3.bin")));
    assertThat(s.parkedEvents()).isEqualTo(2);
    assertThat(s.takeHandoffs()).singleElement().satisfies(h -> {
      assertThat(h.userKey()).isEqualTo("v");
      assertThat(h.deviceKey()).isEqualTo("$device:e");
      assertThat(h.carriesSession()).isTrue();
    });

    List<MixpanelRecord> out = new ArrayList<>(s.adopt(handoff("handoff-v1-adopted.bin"),
        T0 + 8 * MIN)); // a replay: ignored
    out.addAll(s.adopt(handoff("handoff-v1.bin"), T0 + 8 * MIN));
    assertThat(s.parkedEvents()).isZero();
    MixpanelRecord loginX = anonymous("Login", T0 + 6 * MIN, "dx", "v3-6");
    loginX.properties().put("distinct_id", "x").put("$user_id", "x");
    out.addAll(s.onEvents(7, List.of(loginX), T0 + 8 * MIN));
    out.addAll(s.onTick(T0 + 3 * 86_400_000L));

    assertThat(GoldenTimelines.sorted(out))
        .isEqualTo(GoldenTimelines.read(DIR.resolve("snapshot-v3.expected.json")));
  }

  @Test
  void aVersion1HandoffReads() throws IOException {
    Handoff h = handoff("handoff-v1.bin");
    assertThat(h.userKey()).isEqualTo("w");
    assertThat(h.deviceKey()).isEqualTo("$device:dw");
    assertThat(h.time()).isEqualTo(T0 + 3 * MIN);
    assertThat(h.carriesSession()).isTrue();
    assertThat(h.toBytes()).isEqualTo(Files.readAllBytes(DIR.resolve("handoff-v1.bin")));
  }

  /**
   * {@code snapshot-v4.bin} and {@code entries-v1.bin} (the per-key entries of the same state:
   * count, then key, length, bytes; a null value has length -1) are the last formats with one
   * destination-wide watermark: users a (open session, held events), $device:b (anonymous, then
   * linked to c), d (closed); restored and given two more events, they give
   * {@code snapshot-v4.expected.json}. Rewrite them with {@code -Dfixtures.write=true} only from
   * the commit that froze them.
   */
  @Test
  void aVersion4SnapshotAndItsEntriesRestoreToTheSameSessions() throws IOException {
    if (Boolean.getBoolean("fixtures.write")) {
      Sessionizer w = Sessionizer.create(CONFIG_V3, MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE,
          null);
      long o = 0;
      w.onEvents(o++, List.of(known("View", T0, "a", "da", "v4-1")), T0);
      w.onEvents(o++, List.of(anonymous("View", T0 + MIN, "b", "v4-2")), T0 + MIN);
      w.onEvents(o++, List.of(known("View", T0 + 2 * MIN, "d", "dd", "v4-3")), T0 + 2 * MIN);
      w.onEvents(o++, List.of(known("$identify", T0 + 3 * MIN, "c", "b", "v4-4")), T0 + 3 * MIN);
      w.onEvents(o++, List.of(known("Click", T0 + 4 * MIN, "a", "da", "v4-5")), T0 + 4 * MIN);
      w.onEvents(o++, List.of(known("Click", T0 + 4 * MIN + 30_000, "c", "b", "v4-6")),
          T0 + 4 * MIN + 30_000);
      w.onEvents(o++, List.of(known("Click", T0 + 50 * MIN, "d", "dd", "v4-7")), T0 + 50 * MIN);
      w.onEvents(o++, List.of(known("Buy", T0 + 50 * MIN + 20_000, "a", "da", "v4-8")),
          T0 + 50 * MIN + 20_000);
      Files.write(DIR.resolve("snapshot-v4.bin"), w.snapshot());
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      java.util.Map<String, byte[]> entries = new java.util.TreeMap<>();
      w.drainChanges(entries::put);
      try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
        out.writeInt(entries.size());
        for (var e : entries.entrySet()) {
          out.writeUTF(e.getKey());
          out.writeInt(e.getValue() == null ? -1 : e.getValue().length);
          if (e.getValue() != null) {
            out.write(e.getValue());
          }
        }
      }
      Files.write(DIR.resolve("entries-v1.bin"), bytes.toByteArray());
      GoldenTimelines.JSON.writeValue(DIR.resolve("snapshot-v4.expected.json").toFile(),
          GoldenTimelines.sorted(afterV4(w)));
    }
    Sessionizer s = Sessionizer.create(CONFIG_V3, MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE,
        null);
    s.restore(Files.readAllBytes(DIR.resolve("snapshot-v4.bin")));
    assertThat(s.snapshotOffset()).isEqualTo(7);
    assertThat(GoldenTimelines.sorted(afterV4(s)))
        .isEqualTo(GoldenTimelines.read(DIR.resolve("snapshot-v4.expected.json")));

    java.util.Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
    try (java.io.DataInputStream in = new java.io.DataInputStream(
        Files.newInputStream(DIR.resolve("entries-v1.bin")))) {
      for (int n = in.readInt(); n > 0; n--) {
        String key = in.readUTF();
        int len = in.readInt();
        entries.put(key, len < 0 ? null : in.readNBytes(len));
      }
    }
    entries.values().removeIf(java.util.Objects::isNull);
    Sessionizer e = Sessionizer.create(CONFIG_V3, MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE,
        null);
    e.restoreEntries(entries.entrySet().iterator());
    assertThat(e.snapshotOffset()).isEqualTo(7);
    assertThat(GoldenTimelines.sorted(afterV4(e)))
        .isEqualTo(GoldenTimelines.read(DIR.resolve("snapshot-v4.expected.json")));
  }

  @Test
  void theHeldEventsOfAVersion4StateStillCatchTheirDuplicates() throws IOException {
    int[] duplicates = {0};
    SessionListener counting = new SessionListener() {
      @Override
      public void duplicateEvent() {
        duplicates[0]++;
      }
    };
    Sessionizer s = Sessionizer.create(CONFIG_V3, MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE,
        counting);
    s.restore(Files.readAllBytes(DIR.resolve("snapshot-v4.bin")));
    assertThat(s.heldEvents()).isEqualTo(2);
    s.onEvents(8, List.of(known("Buy", T0 + 50 * MIN + 20_000, "a", "da", "v4-8")),
        T0 + 50 * MIN + 30_000);
    assertThat(duplicates[0]).isEqualTo(1);
    assertThat(s.heldEvents()).isEqualTo(2);
  }

  /**
   * A state of several 256 KiB parts (held events, open sessions, links, ids with multi-byte
   * characters that a part boundary cuts) read back part by part gives what the one-array
   * snapshot gives: the same state and the same sessions after the same events.
   */
  @Test
  void aSnapshotInPartsRestoresAsTheWholeArrayDoes() {
    Sessionizer s = Sessionizer.create(CONFIG_V3, MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE,
        null);
    long offset = 0;
    for (int i = 0; i < 12_000; i++) { // about 2 MB of state: open sessions, then held events
      String user = "user-ü-" + i;
      s.onEvents(++offset, List.of(known("Page", T0 + i * 10L, user, "device-é-" + i, "a" + i)),
          T0 + i * 10L);
      if (i == 6_000) {
        s.onTick(T0 + 10 * MIN); // places what is held: these sessions are open
      }
    }
    List<byte[]> parts = s.snapshotParts();
    assertThat(parts).hasSizeGreaterThan(3);
    assertThat(parts.subList(0, parts.size() - 1)).allSatisfy(p -> assertThat(p).hasSize(262_144));
    byte[] whole = s.snapshot();
    assertThat(whole).hasSize(parts.stream().mapToInt(p -> p.length).sum());

    Sessionizer fromParts = Sessionizer.create(CONFIG_V3,
        MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE, null);
    fromParts.restore(new dev.mixrelay.log.Checkpoint("sessions:x", offset, parts).stream());
    Sessionizer fromWhole = Sessionizer.create(CONFIG_V3,
        MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE, null);
    fromWhole.restore(whole);
    assertThat(fromParts.snapshotOffset()).isEqualTo(offset);
    assertThat(fromParts.heldEvents()).isEqualTo(s.heldEvents()).isPositive();
    assertThat(fromParts.openSessions()).isEqualTo(s.openSessions()).isPositive();

    List<MixpanelRecord> a = new ArrayList<>(fromParts.onTick(T0 + 3 * 86_400_000L));
    List<MixpanelRecord> b = new ArrayList<>(fromWhole.onTick(T0 + 3 * 86_400_000L));
    assertThat(a).hasSizeGreaterThan(20_000);
    assertThat(GoldenTimelines.sorted(a)).isEqualTo(GoldenTimelines.sorted(b));
  }

  /**
   * A copy taken while the sessionizer runs on, written later (as the relay writes it on a worker
   * thread), is the snapshot of the moment it was taken: every part the sessionizer changes in
   * place afterwards (open sessions, spilled users, links, timelines, placed keys, handoffs) is
   * the same bytes, and the events after it change only the sessionizer.
   */
  @Test
  void aCopyWrittenLaterIsTheSnapshotOfTheMomentItWasTaken() {
    Sessionizer s = Sessionizer.create(new SessionConfig(Mode.timeout, Duration.ofMinutes(30), null,
        null, null, "Europe/Berlin", null, null, Duration.ofMinutes(1), null, null, 2_000, null),
        MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE, null);
    long offset = 0;
    for (int i = 0; i < 5_000; i++) { // more users than maxUsersInMemory: some spilled
      long t = T0 + i * 10L;
      s.onEvents(++offset, List.of(anonymous("Page", t, "d" + i, "c" + i)), t);
      if (i % 3 == 0) { // the device's user logs in: a link, a joined timeline
        s.onEvents(++offset, List.of(known("Login", t + 1, "u" + i, "d" + i, "k" + i)), t + 1);
      }
      if (i == 3_500) {
        s.onTick(T0 + 10 * MIN); // places what is held: open sessions and placed keys
      }
    }
    Sessionizer.Copy copy = s.snapshotCopy();
    byte[] then = s.snapshot();
    assertThat(copy.offset()).isEqualTo(s.snapshotOffset()).isEqualTo(offset);

    long t = T0 + 11 * MIN;
    for (int n = 0; n < 5_000; n++) {
      // the users with open sessions go on, those settled last (in memory, changed in place
      // before a spill) first, then the rest; ticks place them as their lateness passes
      int i = n <= 3_500 ? 3_500 - n : n;
      long at = t + n * 100L;
      s.onEvents(++offset, List.of(i % 2 == 0 ? known("View", at, "u" + i, "d" + i, "v" + i)
          : anonymous("View", at, "d" + i, "v" + i)), at);
      if (n % 100 == 99) {
        s.onTick(at);
      }
    }
    s.onTick(T0 + 3 * 86_400_000L);
    assertThat(s.snapshot()).isNotEqualTo(then);

    java.io.ByteArrayOutputStream written = new java.io.ByteArrayOutputStream();
    copy.parts().forEach(written::writeBytes);
    assertThat(written.toByteArray()).isEqualTo(then);
  }

  private static List<MixpanelRecord> afterV4(Sessionizer s) {
    List<MixpanelRecord> out = new ArrayList<>(s.onEvents(8,
        List.of(anonymous("Click", T0 + 5 * MIN, "b", "v4-9")), T0 + 51 * MIN));
    out.addAll(s.onEvents(9, List.of(known("View", T0 + 52 * MIN, "a", "da", "v4-10")),
        T0 + 52 * MIN));
    out.addAll(s.onTick(T0 + 3 * 86_400_000L));
    return out;
  }

  private static MixpanelRecord known(String name, long time, String user, String device,
      String id) {
    MixpanelRecord r = anonymous(name, time, device, id);
    r.properties().put("distinct_id", user).put("$user_id", user);
    return r;
  }

  private static Handoff handoff(String file) throws IOException {
    return Handoff.fromBytes(Files.readAllBytes(DIR.resolve(file)));
  }

  private static MixpanelRecord anonymous(String name, long time, String device, String id) {
    ObjectNode p = JsonNodeFactory.instance.objectNode();
    p.put("time", time);
    p.put("distinct_id", "$device:" + device);
    p.put("$device_id", device);
    p.put("$insert_id", id);
    p.put("$browser", "Firefox");
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("event", name);
    body.set("properties", p);
    return new MixpanelRecord(Endpoint.IMPORT, body);
  }
}

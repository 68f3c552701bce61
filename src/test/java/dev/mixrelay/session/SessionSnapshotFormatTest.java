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

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
import org.junit.jupiter.api.Test;

/**
 * Frozen snapshots of earlier formats still restore: checkpoints in the intake log outlive an
 * upgrade. {@code snapshot-v2.bin} holds held events, a device link and spilled users (two in
 * memory) of eight events at 09:00–09:07 UTC on 2024-03-05; restored and given one more event, it
 * gives the sessions in {@code snapshot-v2.expected.json}.
 */
class SessionSnapshotFormatTest {
  private static final Path DIR = Path.of("src/test/resources/dev/mixrelay/session");
  private static final long MIN = 60_000;
  private static final long T0 = 1_709_629_200_000L;

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

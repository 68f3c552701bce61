package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mixrelay.config.ConfigLoader;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.segment.SegmentJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The soak test's traffic, reference run and GC log reading, checked quickly in verify. */
class SoakTrafficTest {
  private static final long START = Instant.parse("2026-11-23T12:00:00Z").toEpochMilli();

  @TempDir
  Path tmp;

  @Test
  void theSameSeedMakesTheSameBatchesDueAtTheRate() {
    SoakTraffic a = new SoakTraffic(8, 2000, START);
    SoakTraffic b = new SoakTraffic(8, 2000, START);
    for (int i = 0; i < 50; i++) {
      SoakTraffic.Batch x = a.next();
      assertThat(x.text()).isEqualTo(b.next().text());
      assertThat(x.dueMillis()).isEqualTo(START + (i * 100L + 99) * 1000 / 2000);
    }
    assertThat(new SoakTraffic(9, 2000, START).next().text()).isNotEqualTo(
        new SoakTraffic(8, 2000, START).next().text());
  }

  @Test
  void eachPersonsTimesStrictlyIncreaseAndVisitsAreSeparatedByMoreThanTheSessionTimeout()
      throws Exception {
    SoakTraffic traffic = new SoakTraffic(8, 200, START);
    Map<String, Long> last = new HashMap<>();
    Set<String> messageIds = new HashSet<>();
    Map<String, Integer> types = new HashMap<>();
    long gapsOverTimeout = 0;
    long gapsNearTimeout = 0;
    int messages = 0;
    for (int i = 0; i < 600; i++) { // 5 minutes at 200 events/s
      JsonNode body = SegmentJson.MAPPER.readTree(traffic.next().body());
      for (JsonNode m : body.get("batch")) {
        messages++;
        long t = Instant.parse(m.get("timestamp").asText()).toEpochMilli();
        assertThat(t).isLessThanOrEqualTo(traffic.dueMillis(i));
        Long before = last.put(m.get("anonymousId").asText(), t);
        if (before != null) {
          assertThat(t).isGreaterThan(before);
          gapsOverTimeout += t - before > 60_000 ? 1 : 0;
          gapsNearTimeout += t - before > 30_000 && t - before < 80_000 ? 1 : 0;
        }
        assertThat(messageIds.add(m.get("messageId").asText())).isTrue();
        types.merge(m.get("type").asText(), 1, Integer::sum);
      }
    }
    assertThat(messages).isEqualTo(60_000);
    assertThat(types.keySet()).contains("track", "page", "screen", "identify", "group");
    assertThat(gapsOverTimeout).isGreaterThan(500);
    assertThat(gapsNearTimeout).isLessThan(gapsOverTimeout / 20);
  }

  @Test
  void theReferenceRunIsRepeatableAndClosesSessions() throws Exception {
    Path config = tmp.resolve("mixrelay.yaml");
    Files.writeString(config, SoakTest.yaml(0, tmp, 1));
    DestinationConfig d = ConfigLoader.load(config, Map.of()).destinations().get("main");
    BitSet refused = new BitSet();
    SoakReference.Result a = SoakReference.run(d, new SoakTraffic(8, 100, START), 50, refused);
    SoakReference.Result b = SoakReference.run(d, new SoakTraffic(8, 100, START), 50, refused);
    refused.set(7);
    SoakReference.Result c = SoakReference.run(d, new SoakTraffic(8, 100, START), 50, refused);

    assertThat(a.messages()).isEqualTo(5_000);
    assertThat(a.notTranslated()).isZero();
    assertThat(a.events().count()).isGreaterThan(4_700);
    assertThat(a.sessions().count()).isGreaterThan(300).isEven();
    assertThat(b.events().value()).isEqualTo(a.events().value());
    assertThat(b.sessions().value()).isEqualTo(a.sessions().value());
    assertThat(c.messages()).isEqualTo(4_900);
    assertThat(c.events().value()).isNotEqualTo(a.events().value());
  }

  @Test
  void readsTheLowestHeapAfterAYoungOrFullGcAndThePeakFromAGrowingGcLog() throws Exception {
    Path log = tmp.resolve("gc.log");
    SoakMonitor.GcLog gc = new SoakMonitor.GcLog(log);
    assertThat(gc.poll()).containsExactly(-1, -1);
    Files.writeString(log, """
        [0.010s][info][gc] Using G1
        [1.234s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 25M->6M(256M) 3.1ms
        [2.345s][info][gc] GC(1) Pause Young (Normal) (G1 Evacuation Pause) 40M->9M(256M) 2.0ms
        [3.000s][info][gc] GC(2) Pause Remark 1G->512K(1G) 1.0ms
        [3.5""");
    assertThat(gc.poll()).containsExactly(6.0, 40.0);
    Files.writeString(log, "00s][info][gc] GC(3) Pause Full (G1 Compaction Pause) 30M->7M(256M)"
        + " 9.0ms\n", java.nio.file.StandardOpenOption.APPEND);
    assertThat(gc.poll()).containsExactly(7.0, 30.0);
    assertThat(gc.poll()).containsExactly(7.0, -1);
  }
}

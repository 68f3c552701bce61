package dev.mixrelay.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.ConfigLoader;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.segment.MessageHead;
import dev.mixrelay.segment.MessageNormalizer;
import dev.mixrelay.segment.SegmentJson;
import dev.mixrelay.segment.SegmentMessage;
import dev.mixrelay.segment.Validation;
import dev.mixrelay.session.DeviceLink;
import dev.mixrelay.translate.Translator;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What the routing stage reads of a message whose device is already linked to its user, per
 * message and in CPU time of this thread: the whole tree with its identity event (what every
 * message cost before {@link MessageHead}) against the head alone. The messages are
 * ClusterBenchmark's tracks, normalised as intake writes them. A figure, not a check:
 * {@code mvn -B -o -Pbench test -Dtest=RoutingParseBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("bench")
class RoutingParseBenchmark {
  private static final int MESSAGES = 20_000;
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 6);

  @Test
  void treeAndIdentityEventAgainstTheHead() throws Exception {
    DestinationConfig main = ConfigLoader.parse("""
        server: { host: 127.0.0.1, port: 0 }
        sources: [ { writeKey: wk, destination: main } ]
        destinations:
          main: { token: t, apiSecret: s, apiHost: "http://127.0.0.1:1" }
        """, Map.of(), "bench").destinations().get("main");
    Translator translator = new Translator();
    MessageNormalizer normalizer = new MessageNormalizer(() -> "filled");
    Instant received = Instant.parse("2026-12-07T10:00:00Z");
    List<byte[]> records = new ArrayList<>();
    for (int i = 0; i < MESSAGES; i++) {
      int u = i % 10_000;
      String json = "{\"type\":\"track\",\"event\":\"Product Viewed\",\"userId\":\"user-" + u
          + "\",\"anonymousId\":\"anon-" + u + "\",\"messageId\":\"bench-" + i
          + "\",\"timestamp\":\"" + received.minusSeconds(MESSAGES - i) + "\",\"properties\":{\"n\":"
          + i + "},\"context\":{\"ip\":\"203.0.113." + (u % 250)
          + "\",\"library\":{\"name\":\"analytics.js\",\"version\":\"2.11.1\"}}}";
      Validation v = normalizer.normalize(SegmentJson.MAPPER.readTree(json), null, null, received);
      records.add(SegmentJson.MAPPER.writeValueAsBytes(((Validation.Valid) v).message().json()));
    }
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    long sink = 0;
    StringBuilder out = new StringBuilder("routing, CPU ns per message (tree + identity event |"
        + " head):");
    for (int round = 0; round < ROUNDS; round++) {
      long t0 = cpu.getCurrentThreadCpuTime();
      for (byte[] r : records) {
        SegmentMessage m = SegmentMessage.fromNormalized(
            (ObjectNode) SegmentJson.MAPPER.readTree(r));
        DeviceLink link = DeviceLink.of(translator.identityEvent(m, main));
        sink += link == null ? 0 : link.user().length();
      }
      long t1 = cpu.getCurrentThreadCpuTime();
      for (byte[] r : records) {
        MessageHead h = MessageHead.read(r);
        sink += h.userId().length();
      }
      long t2 = cpu.getCurrentThreadCpuTime();
      out.append(String.format(" %,d | %,d;", (t1 - t0) / MESSAGES, (t2 - t1) / MESSAGES));
    }
    System.out.println(out + " (" + sink + ")");
  }
}

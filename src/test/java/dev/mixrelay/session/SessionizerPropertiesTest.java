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
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * For random event streams (gaps around the timeout, local midnight on DST days, out-of-order
 * arrival within allowedLateness, duplicates, device-to-user links mid-session, spilled users), the
 * streaming
 * sessionizer emits exactly the sessions a batch implementation computes over the sorted events,
 * and a snapshot/restore mid-stream changes nothing, not even an {@code $insert_id}.
 */
class SessionizerPropertiesTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final long T = Duration.ofMinutes(10).toMillis();
  private static final long L = Duration.ofSeconds(60).toMillis();
  private static final String[] DAYS = {"2024-03-10", "2024-11-03", "2024-03-31", "2024-10-27",
      "2024-06-15"};

  /** One generated stream: config and records in arrival order with their arrival wall times. */
  record Stream(SessionConfig config, List<ObjectNode> arrivals, List<Long> walls) {}

  @Property(tries = 1000)
  void streamingSessionsEqualTheBatchReference(@ForAll long seed) {
    Stream s = generate(new Random(seed));
    List<MixpanelRecord> streamed = run(s, -1, new Random(seed ^ 0x5eed));
    assertThat(ReferenceSessions.lines(streamed))
        .isEqualTo(new ReferenceSessions(s.config()).sessions(s.arrivals()));
    assertThat(streamed.stream().map(MixpanelRecord::insertId)).doesNotHaveDuplicates();
  }

  @Property(tries = 300)
  void aSnapshotRestoredMidStreamGivesTheSameRecords(@ForAll long seed) {
    Stream s = generate(new Random(seed));
    int cut = new Random(seed).nextInt(s.arrivals().size() + 1);
    List<MixpanelRecord> whole = run(s, -1, new Random(seed ^ 0x5eed));
    List<MixpanelRecord> resumed = run(s, cut, new Random(seed ^ 0x5eed));
    assertThat(GoldenTimelines.sorted(resumed)).isEqualTo(GoldenTimelines.sorted(whole));
  }

  @Property(tries = 300)
  void aCrashAfterACheckpointThenAReplayGivesTheSameInsertIds(@ForAll long seed) {
    Stream s = generate(new Random(seed));
    Random r = new Random(seed);
    int n = s.arrivals().size();
    int checkpointAt = r.nextInt(n + 1);
    int crashAt = checkpointAt + r.nextInt(n - checkpointAt + 1);
    List<MixpanelRecord> whole = run(s, -1, new Random(seed ^ 0x5eed));

    Sessionizer z = create(s);
    List<MixpanelRecord> delivered = new ArrayList<>();
    byte[] checkpoint = z.snapshot();
    Random ticks = new Random(seed ^ 0x5eed);
    for (int i = 0; i < crashAt; i++) {
      if (i == checkpointAt) {
        checkpoint = z.snapshot();
      }
      delivered.addAll(feed(z, s, i, ticks));
    }
    Sessionizer restarted = create(s);
    restarted.restore(checkpoint);
    for (int i = 0; i < n; i++) { // replays from the start: offsets already reflected are skipped
      delivered.addAll(feed(restarted, s, i, ticks));
    }
    delivered.addAll(restarted.onTick(s.walls().get(n - 1) + 3 * 86_400_000L));

    assertThat(delivered.stream().map(MixpanelRecord::insertId).distinct().sorted().toList())
        .isEqualTo(whole.stream().map(MixpanelRecord::insertId).sorted().toList());
    assertThat(GoldenTimelines.sorted(delivered.stream().distinct().toList()))
        .containsAll(GoldenTimelines.sorted(whole));
  }

  private static Sessionizer create(Stream s) {
    return Sessionizer.create(s.config(), MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE,
        SessionListener.NONE);
  }

  private static List<MixpanelRecord> feed(Sessionizer z, Stream s, int i, Random ticks) {
    List<MixpanelRecord> out = new ArrayList<>();
    if (ticks.nextInt(4) == 0) {
      out.addAll(z.onTick(s.walls().get(i)));
    }
    out.addAll(z.onEvents(i, List.of(new MixpanelRecord(Endpoint.IMPORT,
        s.arrivals().get(i).deepCopy())), s.walls().get(i)));
    return out;
  }

  /** Feeds the stream with random ticks; at {@code cut}, continues in a restored sessionizer. */
  static List<MixpanelRecord> run(Stream s, int cut, Random ticks) {
    Sessionizer z = Sessionizer.create(s.config(), MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE,
        SessionListener.NONE);
    List<MixpanelRecord> out = new ArrayList<>();
    long wall = 0;
    for (int i = 0; i < s.arrivals().size(); i++) {
      if (i == cut) {
        byte[] snapshot = z.snapshot();
        z = Sessionizer.create(s.config(), MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE,
            SessionListener.NONE);
        z.restore(snapshot);
      }
      wall = s.walls().get(i);
      if (ticks.nextInt(4) == 0) {
        out.addAll(z.onTick(wall));
      }
      out.addAll(z.onEvents(i, List.of(new MixpanelRecord(Endpoint.IMPORT,
          s.arrivals().get(i).deepCopy())), wall));
    }
    out.addAll(z.onTick(wall + 3 * 86_400_000L));
    return out;
  }

  static Stream generate(Random r) {
    Mode mode = Mode.values()[r.nextInt(3)];
    String zone = r.nextBoolean() ? "America/New_York" : "Europe/Berlin";
    SessionConfig config = new SessionConfig(mode, Duration.ofMillis(T), "Login", "Logout",
        "session_id", zone, List.of("Push"), List.of("plan"), Duration.ofMillis(L), null, null,
        1 + r.nextInt(4), null);
    long start = LocalDate.parse(DAYS[r.nextInt(DAYS.length)]).atStartOfDay(ZoneId.of(zone))
        .toInstant().toEpochMilli() - r.nextInt(3 * 3_600_000);
    List<long[]> order = new ArrayList<>(); // {arrivalKey, index}
    List<ObjectNode> events = new ArrayList<>();
    int people = 1 + r.nextInt(3);
    for (int person = 0; person < people; person++) {
      String user = "u" + person;
      int devices = 1 + r.nextInt(2);
      for (int d = 0; d < devices; d++) {
        String device = "d" + person + d;
        boolean known = r.nextInt(4) == 0;
        long t = start + r.nextInt((int) (2 * T));
        int n = 1 + r.nextInt(14);
        for (int k = 0; k < n; k++) {
          t += gap(r);
          if (!known && r.nextInt(5) == 0) {
            known = true;
            events.add(event("$identify", t, user, device, r));
          }
          ObjectNode e = event(name(mode, r), t, known ? user : null, device, r);
          if (known && r.nextBoolean()) {
            ((ObjectNode) e.get("properties")).remove("$device_id");
          }
          events.add(e);
        }
      }
    }
    for (int i = events.size() - 1; i >= 0; i--) {
      if (r.nextInt(10) == 0) {
        events.add(events.get(i).deepCopy()); // a client retry: the same event again
      }
    }
    for (int i = 0; i < events.size(); i++) {
      long time = events.get(i).get("properties").get("time").asLong();
      long jitter = r.nextInt(3) == 0 ? r.nextInt((int) L + 1) : 0;
      order.add(new long[] {time + jitter, i});
    }
    order.sort(Comparator.comparingLong(o -> o[0]));
    List<ObjectNode> arrivals = new ArrayList<>();
    List<Long> walls = new ArrayList<>();
    for (long[] o : order) {
      arrivals.add(events.get((int) o[1]));
      walls.add(o[0]);
    }
    return new Stream(config, arrivals, walls);
  }

  private static long gap(Random r) {
    switch (r.nextInt(6)) {
      case 0:
        return 0;
      case 1:
        return r.nextInt((int) T);
      case 2:
        return T - 1000 + r.nextInt(2001);
      case 3:
        return T;
      case 4:
        return T + r.nextInt((int) (2 * T));
      default:
        return r.nextInt(4 * 3_600_000);
    }
  }

  private static String name(Mode mode, Random r) {
    String[] names = mode == Mode.event
        ? new String[] {"Login", "Logout", "Browse", "Browse", "Push"}
        : new String[] {"View", "Click", "Push", "$merge"};
    return names[r.nextInt(names.length)];
  }

  private static ObjectNode event(String name, long time, String user, String device, Random r) {
    ObjectNode p = JSON.objectNode();
    p.put("time", time);
    p.put("distinct_id", user != null ? user : "$device:" + device);
    if (user != null) {
      p.put("$user_id", user);
    }
    p.put("$device_id", device);
    p.put("$insert_id", Long.toHexString(r.nextLong()));
    if (r.nextBoolean()) {
      p.put("$browser", r.nextBoolean() ? "Chrome" : "Firefox");
    }
    if (r.nextInt(3) == 0) {
      p.put("plan", r.nextInt(2));
    }
    switch (r.nextInt(5)) {
      case 0:
        break;
      case 1:
        p.put("session_id", "");
        break;
      case 2:
        p.put("session_id", 1);
        break;
      default:
        p.put("session_id", r.nextBoolean() ? "1" : "2");
    }
    ObjectNode e = JSON.objectNode();
    e.put("event", name);
    e.set("properties", p);
    return e;
  }
}

package dev.mixrelay.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.SessionConfig;
import dev.mixrelay.config.SessionConfig.Mode;
import dev.mixrelay.mixpanel.MixpanelRecord;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * For random multi-user streams (anonymous browsing, logins mid-session, userId-only events,
 * devices shared by two users, gaps around the timeout, midnights on DST days, retries,
 * out-of-order arrival within allowedLateness), the stream split over 2 or 3 sessionizers by
 * session key, with handoffs delivered at once or a few inputs later and with a task that crashes
 * and replays, emits exactly the records one sessionizer emits for the whole stream.
 *
 * <p>Streams are kept to what the protocol covers: the router resolves every record to the key
 * the single sessionizer places it under (a device's records are not reordered across its links).
 */
class SessionizerSplitPropertiesTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final long T = Duration.ofMinutes(10).toMillis();
  private static final long L = Duration.ofSeconds(60).toMillis();
  private static final String[] DAYS = {"2024-03-10", "2024-11-03", "2024-03-31", "2024-10-27",
      "2024-06-15"};

  /** A generated stream: config and records in arrival order with their arrival wall times. */
  record Stream(SessionConfig config, List<ObjectNode> arrivals, List<Long> walls,
      boolean[] ticks) {}

  /** Counts what the split should never need: events off their task, handoffs never come. */
  private static final class Misses implements SessionListener {
    final AtomicInteger notOwned = new AtomicInteger();
    final AtomicInteger missed = new AtomicInteger();

    @Override
    public void eventNotOwned() {
      notOwned.incrementAndGet();
    }

    @Override
    public void handoffMissed() {
      missed.incrementAndGet();
    }
  }

  @Property(tries = 500)
  void handoffsDeliveredAtOnceGiveTheSessionsOfOneSessionizer(@ForAll long seed) {
    check(seed, 0, false);
  }

  @Property(tries = 500)
  void handoffsDeliveredLateGiveTheSessionsOfOneSessionizer(@ForAll long seed) {
    check(seed, 5, false);
  }

  @Property(tries = 300)
  void aTaskThatCrashesAndReplaysWithItsHandoffsEmitsNoSessionTwice(@ForAll long seed) {
    check(seed, new Random(seed).nextInt(4), true);
  }

  private static void check(long seed, int maxDelay, boolean crash) {
    Random r = new Random(seed);
    Stream s = generate(r);
    SplitRun.Router router = new SplitRun.Router(2 + r.nextInt(2), r.nextInt(), r.nextBoolean());
    SplitRun.Crash c = null;
    if (crash) {
      int checkpoint = r.nextInt(30);
      c = new SplitRun.Crash(r.nextInt(router.tasks), checkpoint, checkpoint + r.nextInt(30),
          r.nextInt(checkpoint + 1));
    }
    Misses misses = new Misses();
    SplitRun split = new SplitRun(s.config(), router, misses, SplitRun.NEVER, new Random(~seed),
        maxDelay, c);

    List<MixpanelRecord> got = split.run(s.arrivals(), s.walls(), s.ticks());
    List<MixpanelRecord> want = SplitRun.whole(s.config(), s.arrivals(), s.walls(), s.ticks());

    List<JsonNode> distinct = SplitRun.distinct(got);
    assertThat(distinct).isEqualTo(SplitRun.distinct(want));
    assertThat(distinct.stream().map(n -> n.get("properties").get("$insert_id").asText()))
        .doesNotHaveDuplicates();
    assertThat(misses.notOwned).hasValue(0);
    assertThat(misses.missed).hasValue(0);
    for (int t = 0; t < router.tasks; t++) {
      assertThat(split.task(t).parkedEvents()).isZero();
      assertThat(split.task(t).openSessions()).isZero();
    }
  }

  static Stream generate(Random r) {
    Mode mode = Mode.values()[r.nextInt(3)];
    String zone = r.nextBoolean() ? "America/New_York" : "Europe/Berlin";
    SessionConfig config = new SessionConfig(mode, Duration.ofMillis(T), "Login", "Logout",
        "session_id", zone, List.of("Push"), List.of("plan"), Duration.ofMillis(L), null, null,
        3 + r.nextInt(2), null); // users spill; the links (4 per user in memory) are never dropped
    long start = LocalDate.parse(DAYS[r.nextInt(DAYS.length)]).atStartOfDay(ZoneId.of(zone))
        .toInstant().toEpochMilli() - r.nextInt(3 * 3_600_000);
    List<ObjectNode> events = new ArrayList<>();
    int people = 2 + r.nextInt(4);
    for (int person = 0; person < people; person++) {
      String user = "u" + person;
      for (int d = 0; d < 1 + r.nextInt(2); d++) {
        browse(r, mode, events, user, "d" + person + d, start, r.nextInt(5) == 0);
      }
      if (r.nextInt(3) == 0) { // server-side events: $user_id only
        long t = start + r.nextInt((int) (2 * T));
        for (int k = 0; k < 1 + r.nextInt(6); k++) {
          t += gap(r);
          ObjectNode e = event(name(mode, r), t, user, "-", r);
          ((ObjectNode) e.get("properties")).remove("$device_id");
          events.add(e);
        }
      }
      if (person > 0 && r.nextInt(4) == 0) { // logs in on someone else's device
        browse(r, mode, events, user, "d" + r.nextInt(person) + "0", start, true);
      }
    }
    for (int i = events.size() - 1; i >= 0; i--) {
      if (r.nextInt(10) == 0) {
        events.add(events.get(i).deepCopy()); // a client retry: the same event again
      }
    }
    long[] jitter = new long[events.size()];
    for (int i = 0; i < jitter.length; i++) {
      jitter[i] = r.nextInt(3) == 0 ? r.nextInt((int) L + 1) : 0;
    }
    List<Integer> order = arrival(events, jitter);
    for (int round = 0; ; round++) {
      Set<String> bad = misrouted(events, order);
      // a retry that arrives after its device's link goes to another task than the first copy,
      // where it is not known as a duplicate (a limit of the split): left out
      Set<Integer> apart = bad.isEmpty() ? retriesRoutedApart(events, order) : Set.of();
      if (bad.isEmpty() && apart.isEmpty()) {
        break;
      }
      List<ObjectNode> kept = new ArrayList<>();
      List<Long> keptJitter = new ArrayList<>();
      for (int i = 0; i < events.size(); i++) {
        if (!apart.contains(i)) {
          kept.add(events.get(i));
          keptJitter.add(bad.contains(deviceOf(events.get(i))) || round >= 4 ? 0 : jitter[i]);
        }
      }
      events = kept;
      jitter = keptJitter.stream().mapToLong(Long::longValue).toArray();
      order = arrival(events, jitter);
    }
    List<ObjectNode> arrivals = new ArrayList<>();
    List<Long> walls = new ArrayList<>();
    boolean[] ticks = new boolean[events.size()];
    for (int k = 0; k < order.size(); k++) {
      int i = order.get(k);
      arrivals.add(events.get(i));
      walls.add(time(events.get(i)) + jitter[i]);
      ticks[k] = r.nextInt(4) == 0;
    }
    return new Stream(config, arrivals, walls, ticks);
  }

  /** One device's events: anonymous until a login (or known from the start), then the user's. */
  private static void browse(Random r, Mode mode, List<ObjectNode> events, String user,
      String device, long start, boolean known) {
    long t = start + r.nextInt((int) (2 * T));
    for (int k = 0; k < 1 + r.nextInt(14); k++) {
      t += gap(r);
      if (!known && r.nextInt(4) == 0) {
        known = true;
        events.add(event(r.nextBoolean() ? "$identify" : "Login", t, user, device, r));
      }
      ObjectNode e = event(name(mode, r), t, known ? user : null, device, r);
      if (known && r.nextBoolean()) {
        ((ObjectNode) e.get("properties")).remove("$device_id");
      }
      events.add(e);
    }
  }

  /** Indices in arrival order: by time + jitter, ties in generation order. */
  private static List<Integer> arrival(List<ObjectNode> events, long[] jitter) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparingLong(i -> time(events.get(i)) + jitter[i]));
    return order;
  }

  /**
   * The devices whose records the router would send by another key than the one the single
   * sessionizer places them under, or whose first link differs between arrival and time order.
   */
  private static Set<String> misrouted(List<ObjectNode> events, List<Integer> order) {
    Map<Integer, Integer> rank = new HashMap<>();
    for (int k = 0; k < order.size(); k++) {
      rank.put(order.get(k), k);
    }
    List<Integer> byTime = new ArrayList<>(order);
    byTime.sort(Comparator.<Integer>comparingLong(i -> time(events.get(i)))
        .thenComparing(rank::get));
    Map<Integer, String> placed = keys(events, byTime);
    Map<Integer, String> routed = keys(events, order);
    Set<String> bad = new HashSet<>();
    for (int i = 0; i < events.size(); i++) {
      if (!placed.get(i).equals(routed.get(i))) {
        bad.add(deviceOf(events.get(i)));
      }
    }
    return bad;
  }

  /** The retries the router sends by another key than the first copy of the same event. */
  private static Set<Integer> retriesRoutedApart(List<ObjectNode> events, List<Integer> order) {
    Map<Integer, String> routed = keys(events, order);
    Map<String, String> first = new HashMap<>();
    Set<Integer> out = new HashSet<>();
    for (int i : order) {
      JsonNode p = events.get(i).get("properties");
      String id = events.get(i).get("event").asText() + " " + p.get("distinct_id") + " "
          + p.get("time") + " " + p.get("$insert_id");
      if (!first.computeIfAbsent(id, k -> routed.get(i)).equals(routed.get(i))) {
        out.add(i);
      }
    }
    return out;
  }

  /** Each event's key in the given order, links first-wins; link events map to "link:<first>". */
  private static Map<Integer, String> keys(List<ObjectNode> events, List<Integer> order) {
    Map<String, String> links = new HashMap<>();
    Map<String, Integer> firstLink = new HashMap<>();
    Map<Integer, String> out = new HashMap<>();
    for (int i : order) {
      JsonNode p = events.get(i).get("properties");
      String user = p.hasNonNull("$user_id") ? p.get("$user_id").asText() : null;
      String device = p.hasNonNull("$device_id") ? p.get("$device_id").asText() : null;
      if (user != null && device != null && links.putIfAbsent(device, user) == null) {
        firstLink.put(device, i);
      }
      out.put(i, user != null ? user + (device == null ? "" : " link:" + firstLink.get(device))
          : links.getOrDefault(device, "$device:" + device));
    }
    return out;
  }

  private static String deviceOf(ObjectNode e) {
    return e.get("properties").path("$device_id").asText();
  }

  private static long time(ObjectNode e) {
    return e.get("properties").get("time").asLong();
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

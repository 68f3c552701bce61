package dev.mixrelay.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.MixpanelSettings;
import dev.mixrelay.config.SessionConfig;
import dev.mixrelay.config.SessionConfig.Mode;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The sessionizer's cost: events/s through the pure state machine and through the runtime, and
 * heap bytes per open session with 1,000,000 open sessions. Run:
 * {@code mvn -B -o -Pbench test -Dtest=SessionBenchTest -Dsurefire.failIfNoSpecifiedTests=false}
 * (figures in target/surefire-reports/dev.mixrelay.session.SessionBenchTest-output.txt).
 */
@Tag("bench")
class SessionBenchTest {
  private static final long T0 = 1_709_629_200_000L;
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final String[] BROWSERS = {"Chrome", "Firefox", "Safari", "Edge"};

  private static SessionConfig config(int maxUsers, Duration lateness) {
    return new SessionConfig(Mode.timeout, Duration.ofMinutes(30), null, null, null, "Europe/Berlin",
        null, null, lateness, null, null, maxUsers, null);
  }

  private static MixpanelRecord event(String name, long time, String user, int i) {
    ObjectNode p = JSON.objectNode();
    p.put("time", time);
    p.put("distinct_id", user);
    p.put("$user_id", user);
    p.put("$device_id", "dev-" + user);
    p.put("$insert_id", Long.toHexString(time * 31 + i));
    p.put("$browser", BROWSERS[i & 3]);
    p.put("$os", (i & 1) == 0 ? "Mac OS X" : "Windows");
    p.put("$current_url", "https://example.com/page/" + (i % 1000));
    p.put("mp_lib", "Segment: analytics.js");
    p.put("$city", "Berlin");
    p.put("amount", i);
    ObjectNode body = JSON.objectNode();
    body.put("event", name);
    body.set("properties", p);
    return new MixpanelRecord(Endpoint.IMPORT, body);
  }

  @Test
  void stateMachineThroughput() {
    SessionRules rules = SessionRules.of(config(100_000, Duration.ZERO));
    SessionMachine machine = new SessionMachine(rules, new LocalDays(ZoneId.of("Europe/Berlin")),
        new Interner(1 << 16));
    int users = 100_000;
    int n = 10_000_000;
    UserState[] states = new UserState[users];
    String[] keys = new String[users];
    for (int u = 0; u < users; u++) {
      keys[u] = "user-" + u;
    }
    JsonNode[] props = new JsonNode[rules.associated().size()];
    props[2] = JSON.textNode("Chrome");
    List<Closed> out = new ArrayList<>();
    long closed = 0;
    for (int round = 0; round < 2; round++) { // the first round warms up
      long start = System.nanoTime();
      long startCpu = THREADS.getCurrentThreadCpuTime();
      for (int i = 0; i < n; i++) {
        int u = i % users;
        long time = T0 + (long) i * 12; // every 20 min per user: sessions run until midnight
        SessionEvent e = new SessionEvent(time, i, i, time, "Page", keys[u], null, null, null,
            null, false, 0, 0, null, props);
        states[u] = machine.onEvent(keys[u], true, states[u], e, out);
        closed += out.size();
        out.clear();
      }
      double secs = (System.nanoTime() - start) / 1e9;
      double cpu = (THREADS.getCurrentThreadCpuTime() - startCpu) / 1e9;
      System.out.printf("state machine: %,d events in %.2f s = %,.0f events/s; on-CPU %.2f s ="
          + " %,.0f events/s per core (%,d closed)%n", n, secs, n / secs, cpu, n / cpu, closed);
    }
  }

  @Test
  void runtimeThroughput() {
    int users = 100_000;
    int chunk = 100_000;
    int n = Integer.getInteger("bench.events", 3_000_000);
    for (int round = 0; round < 2; round++) { // the first round warms up
      Sessionizer s = Sessionizer.create(config(1_000_000, Duration.ofSeconds(60)),
          MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE, SessionListener.NONE);
      long nanos = 0;
      long cpu = 0;
      long emitted = 0;
      for (int from = 0; from < n; from += chunk) {
        List<MixpanelRecord> batch = new ArrayList<>(chunk);
        for (int i = from; i < from + chunk; i++) {
          batch.add(event("Page", T0 + (long) i * 12, "user-" + (i % users), i));
        }
        long start = System.nanoTime();
        long startCpu = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < chunk; i++) {
          emitted += s.onEvents(from + i, batch.subList(i, i + 1), T0).size();
        }
        nanos += System.nanoTime() - start;
        cpu += THREADS.getCurrentThreadCpuTime() - startCpu;
      }
      double secs = nanos / 1e9;
      System.out.printf("runtime (read + hold + place + emit): %,d events in %.2f s = %,.0f"
          + " events/s; on-CPU %.2f s = %,.0f events/s per core (%,d session records)%n", n, secs,
          n / secs, cpu / 1e9, n / (cpu / 1e9), emitted);
    }
  }

  @Test
  void heapPerOpenSession() {
    int sessions = 1_000_000;
    long before = usedAfterGc();
    Sessionizer s = Sessionizer.create(config(2_000_000, Duration.ZERO),
        MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE, SessionListener.NONE);
    for (int i = 0; i < sessions; i++) {
      String user = "user-" + i;
      s.onEvents(i, List.of(event("Page", T0 + i, user, i)), T0);
    }
    long after = usedAfterGc();
    System.out.printf("heap: %,d open sessions, %,d bytes each (keys and timers included; %s)%n",
        s.openSessions(), (after - before) / sessions,
        "user ids 'user-N', device ids, 6 associated properties from small pools");
    s.snapshotParts(); // warm-up
    long start = System.nanoTime();
    Sessionizer.Copy copy = s.snapshotCopy();
    long copyNanos = System.nanoTime() - start;
    long bytes = copy.parts().stream().mapToLong(p -> p.length).sum();
    System.out.printf("snapshot of %,d sessions: %,d bytes in %.2f s, of which the copy %.3f s%n",
        s.openSessions(), bytes, (System.nanoTime() - start) / 1e9, copyNanos / 1e9);
    copy = null;
    s = null;
    long spillBefore = usedAfterGc();
    Sessionizer spilling = Sessionizer.create(config(100_000, Duration.ZERO),
        MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE, SessionListener.NONE);
    for (int i = 0; i < sessions; i++) {
      spilling.onEvents(i, List.of(event("Page", T0 + i, "user-" + i, i)), T0);
    }
    long spillAfter = usedAfterGc();
    System.out.printf("heap with maxUsersInMemory=100000: %,d open sessions, %,d bytes each%n",
        spilling.openSessions(), (spillAfter - spillBefore) / sessions);
  }

  /**
   * Heap bytes per held event with 1,000,000 held (allowedLateness 1 h: none is placed), one per
   * user and five per user (a user's minute of traffic, as the soak holds them), with everything
   * a held event costs: the event, its ids, its de-duplication key, its timeline and the indexes.
   */
  @Test
  void heapPerHeldEvent() {
    int held = 1_000_000;
    for (int perUser : new int[] {1, 5}) {
      long before = usedAfterGc();
      Sessionizer s = Sessionizer.create(new SessionConfig(Mode.timeout, Duration.ofMinutes(30),
          null, null, null, "Europe/Berlin", null, null, Duration.ofHours(1), null, null,
          2_000_000, 2_000_000, null), MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE,
          SessionListener.NONE);
      int users = held / perUser;
      for (int k = 0; k < perUser; k++) {
        for (int u = 0; u < users; u++) {
          int i = k * users + u;
          s.onEvents(i, List.of(event("Page", T0 + k * 12_000L + u, "user-" + u, i)), T0);
        }
      }
      long after = usedAfterGc();
      s.snapshotParts(); // warm-up
      long snapStart = System.nanoTime();
      Sessionizer.Copy copy = s.snapshotCopy(); // what holds the relay's event loop
      long copyNanos = System.nanoTime() - snapStart;
      java.io.ByteArrayOutputStream joined = new java.io.ByteArrayOutputStream();
      copy.parts().forEach(joined::writeBytes); // on a worker thread in the relay
      long snapNanos = System.nanoTime() - snapStart;
      byte[] snapshot = joined.toByteArray();
      copy = null;
      joined = null;
      System.out.printf("heap: %,d held events, %d per user, %,d bytes each (timelines, ids and"
          + " keys included); snapshot %,d bytes each in %.2f s, of which the copy %.3f s%n",
          s.heldEvents(), perUser, (after - before) / s.heldEvents(),
          snapshot.length / s.heldEvents(), snapNanos / 1e9, copyNanos / 1e9);
      s = null;
      usedAfterGc();
      long started = System.nanoTime();
      Sessionizer restored = Sessionizer.create(new SessionConfig(Mode.timeout,
          Duration.ofMinutes(30), null, null, null, "Europe/Berlin", null, null,
          Duration.ofHours(1), null, null, 2_000_000, 2_000_000, null),
          MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE, SessionListener.NONE);
      restored.restore(snapshot);
      long restoreNanos = System.nanoTime() - started;
      snapshot = null;
      System.out.printf("restored in %.2f s: %,d bytes each%n", restoreNanos / 1e9,
          (usedAfterGc() - before) / restored.heldEvents());
      restored = null;
    }
  }

  /**
   * Issue 15's backfills: 1,000,000 users, three events each a minute apart at random times of one
   * day, imported one event per millisecond of wall clock (ticks every 1,000 events), sorted by
   * user and sorted by time, at the default settings. Prints the peak heap after GC (sampled every
   * 250,000 events) above the heap before, and the peak open sessions and held events.
   */
  @Test
  void heapOfMillionUserBackfills() {
    int users = Integer.getInteger("bench.backfillUsers", 1_000_000);
    java.util.Random r = new java.util.Random(15);
    long[] start = new long[users];
    for (int u = 0; u < users; u++) {
      start[u] = T0 + (long) (r.nextDouble() * 86_000_000L);
    }
    for (boolean byUser : new boolean[] {true, false}) {
      long[] order = new long[users * 3]; // user * 3 + k, sorted as the import is
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      if (!byUser) {
        Long[] boxed = java.util.Arrays.stream(order).boxed().toArray(Long[]::new);
        java.util.Arrays.sort(boxed, java.util.Comparator.comparingLong(
            (Long i) -> start[(int) (i / 3)] + (i % 3) * 60_000L).thenComparingLong(i -> i));
        order = java.util.Arrays.stream(boxed).mapToLong(Long::longValue).toArray();
      }
      long before = usedAfterGc();
      Sessionizer s = Sessionizer.create(config(100_000, null),
          MixpanelSettings.DEFAULT_INSERT_ID_NAMESPACE, SessionListener.NONE);
      long peakHeap = 0;
      long peakOpen = 0;
      int peakHeld = 0;
      long emitted = 0;
      long began = System.nanoTime();
      for (int i = 0; i < order.length; i++) {
        int u = (int) (order[i] / 3);
        long time = start[u] + (order[i] % 3) * 60_000L;
        long wall = T0 + 86_400_000L + i;
        emitted += s.onEvents(i, List.of(event("Page", time, "user-" + u, i)), wall).size();
        if (i % 1000 == 999) {
          emitted += s.onTick(wall).size();
          peakOpen = Math.max(peakOpen, s.openSessions());
          peakHeld = Math.max(peakHeld, s.heldEvents());
        }
        if (i % 250_000 == 249_999) {
          peakHeap = Math.max(peakHeap, usedAfterGc() - before);
        }
      }
      emitted += s.onTick(T0 + 86_400_000L + order.length + 3_600_000L).size();
      System.out.printf("backfill of %,d users sorted by %s: %,d events in %.1f s, peak heap after"
          + " GC %,d MB, peak open sessions %,d, peak held events %,d, %,d session records, %,d"
          + " open at the end%n", users, byUser ? "user" : "time", order.length,
          (System.nanoTime() - began) / 1e9, peakHeap >> 20, peakOpen, peakHeld, emitted,
          s.openSessions());
    }
  }

  private static long usedAfterGc() {
    for (int i = 0; i < 4; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}

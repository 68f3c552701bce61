package dev.mixrelay.session;

import dev.mixrelay.config.SessionConfig;
import dev.mixrelay.config.SessionConfig.Mode;
import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.session.SessionListener.Reason;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Sessionizes one destination's outgoing event stream and emits Session Start / Session End
 * {@code /import} records. Single-threaded (drive it from one event loop); no I/O, no clock: the
 * wall-clock time is passed in. The definition and the live-stream rules are in
 * {@code package-info.java}.
 *
 * <p>Contract: feed every translated record of every log message, in log order, with the
 * message's offset; call {@link #onTick} periodically. The state reflects every offset up to
 * {@link #snapshotOffset()}; {@link #restore} of a {@link #snapshot} followed by a replay of the
 * later offsets re-emits the same sessions with the same {@code $insert_id}s.
 */
public final class Sessionizer {
  private static final Comparator<SessionEvent> BY_TIME =
      Comparator.comparingLong(SessionEvent::time).thenComparingLong(SessionEvent::seq);

  private final SessionRules rules;
  /** At most this many events wait for the watermark ({@code sessions.maxHeldEvents}). */
  private final int maxHeld;
  private final SessionListener listener;
  private final Interner interner = new Interner(1 << 16);
  private final SessionMachine machine;
  private final SessionRecords records;
  private final EventReader reader;
  private final StateCodec codec = new StateCodec(interner);
  private final UserStore users;
  private final Links links;
  private int timerIds;
  private final PriorityQueue<SessionEvent> pending = new PriorityQueue<>(BY_TIME);
  /** De-duplication keys of the held events, and of placed events not older than the watermark. */
  private final Set<String> heldKeys = new HashSet<>();
  private final LinkedHashMap<String, Long> placedKeys = new LinkedHashMap<>();
  private final PriorityQueue<Timer> eventTimers =
      new PriorityQueue<>(Comparator.comparingLong(t -> t.eventAt));
  private final PriorityQueue<Timer> wallTimers =
      new PriorityQueue<>(Comparator.comparingLong(t -> t.wallAt));
  private final String fingerprint;
  private final State st = new State();

  /** The scalar progress of the stream (kept together so a snapshot is one read). */
  static final class State {
    long lastOffset = -1;
    long seq;
    long maxTime = Long.MIN_VALUE;
    long watermark = Long.MIN_VALUE;
    long lastEventWall = Long.MIN_VALUE;
  }

  /**
   * One timer entry, in both queues at once. It speaks for the user's state while the state's
   * {@code timer} is its id; deadlines only grow, so an entry is re-queued, never updated in place.
   */
  private static final class Timer {
    final String key;
    final int id;
    long eventAt;
    long wallAt;

    Timer(String key, int id, long eventAt, long wallAt) {
      this.key = key;
      this.id = id;
      this.eventAt = eventAt;
      this.wallAt = wallAt;
    }
  }

  private Sessionizer(SessionConfig config, UUID namespace, SessionListener listener) {
    this.rules = SessionRules.of(config);
    this.maxHeld = config.maxHeldEvents();
    this.listener = listener;
    this.machine = new SessionMachine(rules, new LocalDays(config.zone()), interner);
    this.links = new Links(4L * config.maxUsersInMemory());
    this.records = new SessionRecords(rules, namespace);
    this.reader = new EventReader(rules, interner);
    this.users = new UserStore(config.maxUsersInMemory(), codec, listener);
    this.fingerprint = rules.mode() + "|" + rules.timeoutMillis() + "|" + rules.startEvent() + "|"
        + rules.endEvent() + "|" + rules.sessionIdProperty() + "|" + new TreeSet<>(rules.excluded())
        + "|" + rules.associated() + "|" + rules.startEventName() + "|" + rules.endEventName()
        + "|" + config.zone();
  }

  /**
   * A sessionizer for one destination.
   *
   * @param namespace the UUIDv5 namespace of the session events' {@code $insert_id}s (the
   *     destination's {@code insertIdNamespace})
   */
  public static Sessionizer create(SessionConfig config, UUID namespace, SessionListener listener) {
    return new Sessionizer(config, namespace, listener == null ? SessionListener.NONE : listener);
  }

  /**
   * Takes the translated records of one log message (records that are not {@code /import} events
   * are ignored) and returns the session records that became final. Offsets must increase from
   * call to call; a call with an offset at or below {@link #snapshotOffset()} is already reflected
   * in the state and is ignored, so a replay may safely start early.
   */
  public List<MixpanelRecord> onEvents(long logOffset, List<MixpanelRecord> batch, long wallNow) {
    if (logOffset <= st.lastOffset) {
      return List.of();
    }
    st.lastOffset = logOffset;
    if (rules.mode() == Mode.off) {
      return List.of();
    }
    List<Closed> closed = new ArrayList<>();
    for (MixpanelRecord record : batch) {
      SessionEvent e = reader.read(record, st.seq++, logOffset, wallNow);
      if (e == null) {
        continue;
      }
      if (e.time() < st.watermark) {
        listener.lateEvent();
        continue;
      }
      String k = e.dedupKey();
      if (k != null && (heldKeys.contains(k) || placedKeys.containsKey(k))) {
        listener.duplicateEvent();
        continue;
      }
      if (k != null) {
        heldKeys.add(k);
      }
      st.lastEventWall = Math.max(st.lastEventWall, wallNow);
      pending.add(e);
      if (e.time() > st.maxTime) {
        st.maxTime = e.time();
        st.watermark = Math.max(st.watermark, st.maxTime - rules.latenessMillis());
      }
      if (pending.size() > maxHeld) {
        // memory before lateness: at a high rate allowedLateness would hold millions of events,
        // so the oldest are placed now and anything older arriving later counts as late
        st.watermark = Math.max(st.watermark, pending.peek().time());
      }
      advance(closed);
    }
    return emit(closed);
  }

  /**
   * Runs the wall-clock rules: after allowedLateness without any event the watermark catches up
   * with the newest event time; a session whose user sent nothing for timeout + allowedLateness
   * (and, in event and property mode, whose local day has ended) is closed, unless an event that
   * arrived but waits for the watermark could still extend it.
   */
  public List<MixpanelRecord> onTick(long wallNow) {
    List<Closed> closed = new ArrayList<>();
    if (st.maxTime != Long.MIN_VALUE && st.watermark < st.maxTime
        && wallNow - st.lastEventWall >= rules.latenessMillis()) {
      st.watermark = st.maxTime;
      advance(closed);
    }
    while (!wallTimers.isEmpty() && wallTimers.peek().wallAt <= wallNow) {
      Timer t = wallTimers.poll();
      UserState s = users.lookup(t.key);
      if (s == null || s.timer != t.id) {
        users.settle(t.key, s, s);
      } else if (machine.wallDeadline(s) <= wallNow
          && (pending.isEmpty() || machine.deadline(s) <= pending.peek().time())) {
        closed.add(machine.close(t.key, s, Reason.WALL_CLOCK));
        users.settle(t.key, s, null);
      } else {
        // not idle yet, or an event already here but not yet placed may still extend it
        t.wallAt = Math.max(machine.wallDeadline(s), wallNow + 1);
        wallTimers.add(t);
        users.settle(t.key, s, s);
      }
    }
    return emit(closed);
  }

  /** The highest log offset whose records this state reflects (-1 before any). */
  public long snapshotOffset() {
    return st.lastOffset;
  }

  /**
   * The lowest log offset whose events are still held (in an open session or waiting to be placed);
   * {@code snapshotOffset() + 1} when none is. Without a snapshot, a replay must start here.
   */
  public long checkpointableOffset() {
    long min = st.lastOffset + 1;
    for (SessionEvent e : pending) {
      min = Math.min(min, e.offset());
    }
    return users.minOffset(min);
  }

  /** Open sessions, in memory and spilled. */
  public long openSessions() {
    return users.size();
  }

  /**
   * The open session kept under user key {@code key} (as in {@code package-info.java}: a user id,
   * {@code $device:}+device id, or a bare distinct_id), or null. Read only: recency, the spill and
   * the snapshot are left as they were. Events still waiting for the watermark are not in it yet.
   */
  public OpenSession openSession(String key) {
    UserState s = key == null ? null : users.peek(key);
    if (s == null) {
      return null;
    }
    return new OpenSession(key, s.user, SessionMachine.deviceId(key, s), s.first, s.last, s.count,
        s.startName, s.endName, s.value == null ? null : s.value.toString(),
        records.insertId(key, s.first, rules.startEventName(), s.startId));
  }

  /** Events received but not yet placed (waiting for the watermark). */
  public int heldEvents() {
    return pending.size();
  }

  /** The state as bytes, reflecting every offset up to {@link #snapshotOffset()}. */
  public byte[] snapshot() {
    return new Snapshots(codec).write(fingerprint, st, links, pending, placedKeys,
        users.inMemory(), users.spilled());
  }

  /**
   * Replaces the state by a snapshot's.
   *
   * @throws IllegalArgumentException when the snapshot was made under another session definition
   *     or is not a session snapshot; the state is then left empty
   */
  public void restore(byte[] snapshot) {
    clear();
    Map<String, UserState> restored = new HashMap<>();
    try {
      new Snapshots(codec).read(snapshot, fingerprint, st, links, pending, placedKeys, restored);
    } catch (IllegalArgumentException e) {
      clear();
      throw e;
    }
    pending.forEach(e -> {
      if (e.dedupKey() != null) {
        heldKeys.add(e.dedupKey());
      }
    });
    restored.forEach((key, s) -> {
      schedule(key, s);
      users.store(key, s);
    });
  }

  private void clear() {
    users.clear();
    links.clear();
    pending.clear();
    heldKeys.clear();
    placedKeys.clear();
    eventTimers.clear();
    wallTimers.clear();
    st.lastOffset = -1;
    st.seq = 0;
    st.maxTime = Long.MIN_VALUE;
    st.watermark = Long.MIN_VALUE;
    st.lastEventWall = Long.MIN_VALUE;
  }

  private void advance(List<Closed> closed) {
    while (!pending.isEmpty() && pending.peek().time() <= st.watermark) {
      SessionEvent e = pending.poll();
      if (e.dedupKey() != null) {
        heldKeys.remove(e.dedupKey());
        placedKeys.put(e.dedupKey(), e.time());
      }
      place(e, closed);
    }
    // an older duplicate is late anyway
    Iterator<Map.Entry<String, Long>> placed = placedKeys.entrySet().iterator();
    while (placed.hasNext() && placed.next().getValue() < st.watermark) {
      placed.remove();
    }
    while (!eventTimers.isEmpty() && eventTimers.peek().eventAt <= st.watermark) {
      Timer t = eventTimers.poll();
      UserState s = users.lookup(t.key);
      if (s == null || s.timer != t.id) {
        users.settle(t.key, s, s);
      } else if (machine.onWatermark(t.key, s, st.watermark, closed) == null) {
        users.settle(t.key, s, null);
      } else {
        t.eventAt = machine.deadline(s);
        eventTimers.add(t);
        users.settle(t.key, s, s);
      }
    }
  }

  private void place(SessionEvent e, List<Closed> closed) {
    if (e.linkFrom() != null && !links.containsKey(e.linkFrom())) {
      links.put(interner.string(e.linkFrom()), interner.string(e.linkTo()));
      rekey("$device:" + e.linkFrom(), e.linkTo(), e.time(), closed);
      if (e.linkAnon()) {
        rekey(e.linkFrom(), e.linkTo(), e.time(), closed);
      }
    }
    if (rules.excluded().contains(e.name())) {
      return;
    }
    String key;
    boolean user;
    if (e.userId() != null) {
      key = e.userId();
      user = true;
    } else {
      String device = e.deviceId();
      String bare = null;
      if (device == null && e.distinctId() != null) {
        bare = e.distinctId();
        device = bare.startsWith("$device:") ? bare.substring(8) : bare;
      }
      if (device == null) {
        return; // distinct_id "": not tied to a user, in no session
      }
      String linked = links.get(device);
      user = linked != null;
      key = user ? linked : bare != null ? bare : "$device:" + device;
    }
    UserState before = users.lookup(key);
    UserState after = machine.onEvent(key, user, before, e, closed);
    if (after != null && after != before) {
      listener.sessionOpened();
      schedule(key, after);
    }
    users.settle(key, before, after);
  }

  /**
   * Moves the device's open session to the user at {@code time}. A session already over at that
   * time (past its timeout or midnight) is closed instead; two live sessions are not merged: the
   * device's is closed.
   */
  private void rekey(String deviceKey, String userKey, long time, List<Closed> closed) {
    if (deviceKey.equals(userKey)) {
      return;
    }
    UserState device = users.take(deviceKey);
    if (device == null) {
      return;
    }
    if (machine.deadline(device) <= time) {
      closed.add(machine.close(deviceKey, device, Reason.TIMEOUT));
      return;
    }
    UserState user = users.take(userKey);
    if (user != null && machine.deadline(user) <= time) {
      closed.add(machine.close(userKey, user, Reason.TIMEOUT));
      user = null;
    }
    if (user == null) {
      if (device.deviceId == null && deviceKey.startsWith("$device:")) {
        device.deviceId = interner.string(deviceKey.substring(8));
      }
      device.user = true;
      schedule(userKey, device);
      users.store(userKey, device);
      listener.sessionRekeyed();
    } else {
      closed.add(machine.close(deviceKey, device, Reason.REKEY_COLLISION));
      users.store(userKey, user);
    }
  }

  private void schedule(String key, UserState s) {
    Timer t = new Timer(key, ++timerIds, machine.deadline(s), machine.wallDeadline(s));
    s.timer = t.id;
    eventTimers.add(t);
    wallTimers.add(t);
  }

  private List<MixpanelRecord> emit(List<Closed> closed) {
    if (closed.isEmpty()) {
      return List.of();
    }
    List<MixpanelRecord> out = new ArrayList<>(closed.size() * 2);
    for (Closed c : closed) {
      records.build(c, out);
      listener.sessionClosed(c.reason());
    }
    return out;
  }
}
